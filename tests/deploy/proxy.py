"""Debian's nginx run with the deployment's own configuration (server/deploy/), as a process
of the test's own: its pid, temp files and logs in a folder of ours, in front of nodes on
127.0.0.1. The template is rendered with envsubst, as the nginx image renders it."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.cluster import ended, listening

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "server" / "deploy" / "nginx.conf.template"
NAMES = (
    "NGINX_STATE",
    "WATCHFLOOR_LISTEN",
    "WATCHFLOOR_NODE_1",
    "WATCHFLOOR_NODE_2",
    "WATCHFLOOR_CONSOLES_1",
    "WATCHFLOOR_CONSOLES_2",
)


def program(name: str, package: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    assert found, f"{name} is needed here: Debian's {package} package (make test installs it)"
    return found


def render(template: str, values: dict[str, str]) -> str:
    """The template with exactly `NAMES` replaced (envsubst's list: nginx's $vars stay)."""
    envsubst = program("envsubst", "gettext-base")
    wanted = " ".join(f"${{{name}}}" for name in NAMES)
    done = subprocess.run(
        [envsubst, wanted], input=template, env=values, capture_output=True, text=True, check=True
    )
    assert "${" not in done.stdout, "a name in the template that the test does not set"
    return done.stdout


@dataclass
class Proxy:
    """nginx on 127.0.0.1:`port` in front of `nodes` ("127.0.0.1:PORT" each), their console
    sockets on `consoles` (each node's lean console port)."""

    port: int
    nodes: tuple[str, str]
    consoles: tuple[str, str]
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="wf-nginx-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def config(self) -> Path:
        values = {
            "NGINX_STATE": str(self.folder),
            "WATCHFLOOR_LISTEN": f"127.0.0.1:{self.port}",
            "WATCHFLOOR_NODE_1": self.nodes[0],
            "WATCHFLOOR_NODE_2": self.nodes[1],
            "WATCHFLOOR_CONSOLES_1": self.consoles[0],
            "WATCHFLOOR_CONSOLES_2": self.consoles[1],
        }
        path = self.folder / "nginx.conf"
        path.write_text(render(TEMPLATE.read_text(), values))
        return path

    def start(self) -> None:
        self.folder.chmod(0o755)  # workers (www-data when we are root) reach their temp dirs
        nginx = program("nginx", "nginx")
        command = [nginx, "-e", "stderr", "-p", str(self.folder), "-c", str(self.config())]
        with self.access_log.open("ab") as out, (self.folder / "error.log").open("ab") as err:
            self.process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=out, stderr=err)
        listening(self.port, self.process, f"nginx (see {self.folder / 'error.log'})")

    def stop(self) -> None:
        if self.process is not None:
            ended(self.process)
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
