"""Drills (应急演练): the runner that plays scripts, the /drills pages, the review, the CLI."""

PUBLIC = ("runner",)
