"""In-tree PEP 517 backend: setuptools, plus compiling the message catalogues.

The Chinese catalogue (``.po``) is the source of truth; the binary ``.mo`` files are build
output and never committed. Compiling here means ``pip install`` (editable or not) leaves a
working translation behind with no manual ``compilemessages`` step and no GNU gettext.
"""

from pathlib import Path

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F403 - re-export the standard hooks

ROOT = Path(__file__).parent


def compile_messages() -> None:
    import polib

    for po_path in (ROOT / "src").rglob("locale/*/LC_MESSAGES/*.po"):
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    compile_messages()
    return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    compile_messages()
    return _orig.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    compile_messages()
    return _orig.build_sdist(sdist_directory, config_settings)
