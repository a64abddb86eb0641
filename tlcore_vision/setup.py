"""Distribution ``tlcore-vision``: a tlcore plugin, registered under the entry point ``vision``."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent

def _version() -> str:
    """The one version source: ``__version__`` in tlcore_vision/__init__.py (read, not imported)."""
    text = (HERE / "tlcore_vision/__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


setup(
    name="tlcore-vision",
    version=_version(),
    description="tlcore plugin: vision layers, functions, datasets and examples.",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    url="https://github.com/tlcore/tlcore",
    project_urls={
        "Source": "https://github.com/tlcore/tlcore/tree/main/tlcore_vision",
        "Issues": "https://github.com/tlcore/tlcore/issues",
        "Plugin guide": "https://github.com/tlcore/tlcore/blob/main/plugins/README.md",
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Developers",
        "Intended Audience :: Science/Research",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Typing :: Typed",
    ],
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore_vision", "tlcore_vision.*"]),
    package_data={"tlcore_vision": ["py.typed"]},
    install_requires=["tlcore>=0.1,<0.2", "scipy>=1.10", "Pillow>=9.1"],
    entry_points={"tlcore.plugins": ["vision = tlcore_vision.plugin"]},
)
