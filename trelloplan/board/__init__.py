"""Plan → board: read a Trello board, diff it against the plan, and apply the difference.

:mod:`.remote` reads a board into plain values; :mod:`.markers` and
:mod:`.state` are how a card and a board are recognised again (the card's
``trelloplan-key:`` line, the plan's state file); :mod:`.diff` is the pure
three-way diff; :mod:`.apply` makes the writes. Import the modules directly:
this package loads nothing on its own, so the pure parts stay free of py-trello.
"""
