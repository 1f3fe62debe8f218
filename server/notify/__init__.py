"""Notification fan-out: the outbox, channels, acknowledgement links, escalation timers.

outbox.py      the projector: outbox and timer rows in the command's own transaction
dispatcher.py  claims due outbox rows, sends, records each attempt as an event
timers.py      claims due escalation timers, fires the escalation step
channels.py    webhook, e-mail, SMS gateway, log (demo)
message.py     the report (信息报告内容) in the contact's language, with the ack link
tokens.py      signed, expiring, single-purpose acknowledgement tokens
secret.py      the keys that sign them: the current one, and old ones still accepted
routes.py      /ack/{token}, /api/ack, and the console's acknowledge-by-phone and re-send
service.py     putting it together for the app and the `watchfloor notify-worker` CLI
"""

# The modules other features may import (tests/test_feature_boundary.py); the app's
# composition (server/*.py) may import any.
PUBLIC = ("message", "service", "secret")  # service, secret: a drill run composes a notifier
