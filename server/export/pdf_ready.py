"""Whether this machine can make a PDF, and if not, which Debian packages it lacks.

WeasyPrint loads Pango when it is imported (libpango-1.0-0, libpangoft2-1.0-0), and a
Chinese report needs a font that covers Chinese (fonts-noto-cjk; found through fontconfig,
which Pango uses too). The export asks before it records anything: a machine without them
answers with the packages to install, never a 500, and no `exported` event names a file
that was never made. Asked in a renderer process (`run.py`): the import is slow.
"""

from __future__ import annotations

import ctypes

from incidents.errors import DomainError

PANGO = ("libpango-1.0-0", "libpangoft2-1.0-0")
CJK_FONT = ("fonts-noto-cjk",)
FONTCONFIG = "libfontconfig.so.1"  # Pango's own font lookup; installed with it


class PdfUnavailable(DomainError):
    """This server cannot lay out a PDF: packages are missing (other formats still work)."""

    code = "pdf_unavailable"


def unavailable(packages: tuple[str, ...]) -> PdfUnavailable:
    """The refusal naming `packages`, and the command that installs them."""
    names = " ".join(packages)
    return PdfUnavailable(
        "export.pdf_unavailable",
        f"PDF export needs the Debian packages {names}",
        packages=names,
        command=f"apt-get install {names}",
    )


_ready = False  # everything was found once in this process: not looked for again


def missing() -> tuple[str, ...]:
    """The Debian packages a PDF export still needs here; none when it can be made. Until
    all are found each request looks again (restart the console after installing them: a
    process's fontconfig keeps the fonts it found first)."""
    global _ready
    if _ready:
        return ()
    lacking = (() if _pango_loads() else PANGO) + (() if has_cjk_font() else CJK_FONT)
    _ready = not lacking
    return lacking


def _pango_loads() -> bool:
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401  (loads Pango or fails)
    except OSError:  # WeasyPrint's own words: cannot load library 'libpango-1.0-0'
        return False
    return True


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.c_void_p)]


def has_cjk_font() -> bool:
    """Whether fontconfig knows a font that covers Simplified Chinese."""
    try:
        fc = ctypes.CDLL(FONTCONFIG)
    except OSError:
        return False
    fc.FcNameParse.restype = ctypes.c_void_p
    fc.FcNameParse.argtypes = [ctypes.c_char_p]
    fc.FcObjectSetCreate.restype = ctypes.c_void_p
    fc.FcObjectSetAdd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    fc.FcFontList.restype = ctypes.POINTER(_FontSet)
    fc.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    for free in (fc.FcPatternDestroy, fc.FcObjectSetDestroy, fc.FcFontSetDestroy):
        free.argtypes = [ctypes.c_void_p]
    pattern, objects = fc.FcNameParse(b":lang=zh-cn"), fc.FcObjectSetCreate()
    fc.FcObjectSetAdd(objects, b"family")
    fonts = fc.FcFontList(None, pattern, objects)
    found = bool(fonts) and fonts.contents.nfont > 0
    if fonts:
        fc.FcFontSetDestroy(fonts)
    fc.FcObjectSetDestroy(objects)
    fc.FcPatternDestroy(pattern)
    return found


if __name__ == "__main__":  # `make demo`: what to install before PDFs can be made
    print(" ".join(missing()))
