"""``python -m sklearn_adamlp``: the command line (``sklearn_adamlp.cli``).

With no arguments it runs the demo on scikit-learn's digits data; see
``python -m sklearn_adamlp --help`` for ``train`` and ``predict``.
"""

import sys

from sklearn_adamlp.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m sklearn_adamlp"))
