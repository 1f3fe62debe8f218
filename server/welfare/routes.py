"""POST /incidents/{id}/checks/{check}/start|stop|record: welfare checks from the desk and
the phone (a form or JSON), through the incident's one write path."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from incidents.domain import Command
from incidents.errors import InvalidCommand, Named
from incidents.welfare import RecordCheck, StartCheck, StopCheck
from server.incident.commands import part_command
from server.incident.input import Fields, text

ANSWER = "answer_"  # a form's field per observation: answer_conscious=yes


def answers(fields: Fields) -> dict[str, str]:
    """The answers by observation: a JSON object `answers`, or a form's answer_<id> fields."""
    given = fields.get("answers")
    if given is not None:
        if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
            raise InvalidCommand(
                "input.text",
                "answers must map observations to choices",
                field="answers",
                name=Named("field", "answers"),
            )
        return dict(given)
    return {k.removeprefix(ANSWER): text(fields, k) for k in fields if k.startswith(ANSWER)}


COMMANDS: dict[str, Callable[[str, Fields], Command]] = {
    "start": lambda check, f: StartCheck(check),
    "stop": lambda check, f: StopCheck(check, text(f, "reason")),
    "record": lambda check, f: RecordCheck(check, answers(f), text(f, "remark")),
}


async def check_command(request: Request) -> Response:
    return await part_command(request, COMMANDS, "check")


def welfare_routes() -> list[Route]:
    return [
        Route("/incidents/{incident_id}/checks/{check}/{command}", check_command, methods=["POST"])
    ]
