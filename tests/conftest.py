import os
import shutil

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


@pytest.fixture
def examples(tmp_path):
    """A writable copy of examples/."""
    dst = tmp_path / "examples"
    shutil.copytree(EXAMPLES, dst)
    return dst
