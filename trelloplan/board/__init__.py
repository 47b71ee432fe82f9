"""Plan → board: read a Trello board, diff it against the plan, and apply the difference.

:mod:`.resolve` turns any board reference (id, short link, URL) into the board's
id; :mod:`.remote` reads a board into plain values; :mod:`.markers` and
:mod:`.state` are how a card and a board are recognised again (the card's
``trelloplan-key:`` line, the plan's state file) and :mod:`.identity` matches
cards to tasks with them; :mod:`.diff` is the pure three-way diff, made of
:mod:`.changes`; :mod:`.apply` makes the writes. Import the modules directly:
this package loads nothing on its own, so the pure parts stay free of py-trello.
"""
