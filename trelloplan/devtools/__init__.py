"""Developer tools: the recorded HTTP conversations (``cassettes/``) and their recorder.

Not part of the public API. These modules need vcrpy, which comes with the ``test`` extra
(``pip install -e '.[test]'``); ``import trelloplan`` never imports them.
"""
