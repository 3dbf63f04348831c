"""Pure domain core: calendars, deadlines, escalation, drift and the default rule table.

Nothing here imports Flask or SQLAlchemy; every function takes its instants (and `now`)
as arguments so it can be tested, and property-tested, without an app.
"""
