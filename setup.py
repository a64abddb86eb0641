"""Distribution ``tlcore``: the core of the TensorLayer successor (layers, registry, training,
persistence, data). Convolution, NLP and RL live in the separately installed plugins."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent

def _version() -> str:
    """The one version source: ``__version__`` in tlcore/_version.py (read, not imported)."""
    text = (HERE / "tlcore/_version.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


setup(
    name="tlcore",
    version=_version(),
    description=("TensorLayer's simplicity on TensorFlow 2: hand-chained layers, plugins by "
                 "entry point."),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    url="https://github.com/tlcore/tlcore",
    project_urls={
        "Source": "https://github.com/tlcore/tlcore",
        "Issues": "https://github.com/tlcore/tlcore/issues",
        "Changelog": "https://github.com/tlcore/tlcore/blob/main/CHANGELOG.md",
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
    packages=find_packages(include=["tlcore", "tlcore.*"]),
    package_data={"tlcore": ["py.typed", "files/data/mnist/*.gz", "files/data/mnist/SHA256SUMS"]},
    install_requires=[
        "numpy>=1.24",
        "pluggy>=1.3",
        "attrs>=23.1",
        "requests>=2.28",
        "tqdm>=4.60",
        "packaging>=23",
        # tl.visualize and the examples' pictures (imported only when a picture is drawn)
        "matplotlib>=3.7",
        "Pillow>=9.1",
    ],
    extras_require={
        "cpu": ["tensorflow-cpu>=2.16"],
        "gpu": ["tensorflow[and-cuda]>=2.16"],
        "test": ["pytest>=7", "hypothesis>=6.80", "keras>=3", "tensorboard>=2.16",
                 "scikit-learn>=1.2", "ruff>=0.17,<0.18"],
        # pinned to a minor release: CI fails on findings, so a new rule or check lands on
        # purpose, not with whatever version a fresh machine gets
        "lint": ["ruff>=0.17,<0.18", "mypy>=2.4,<2.5"],
        # the API reference (`make docs`): mkdocs.yml, docs/api/
        "docs": ["mkdocs>=1.6,<1.7", "mkdocstrings[python]>=1.0,<1.1",
                 "mkdocstrings-python>=2.0,<2.1"],
        "tensorboard": ["tensorboard>=2.16"],
        # tl.visualize.tsne_embedding (the word2vec example's map of words)
        "tsne": ["scikit-learn>=1.2"],
    },
    entry_points={"console_scripts": ["tlcore = tlcore.cli:main"]},
)
