"""Distribution ``tlcore-maxout``: a third-party style tlcore plugin providing ``MaxoutLayer``.

It depends on tlcore only and declares its manifest module under the entry-point group
``tlcore.plugins`` with the plugin name ``maxout``; see ../README.md for the authoring guide.
"""
from setuptools import find_packages, setup

setup(
    name="tlcore-maxout",
    version="0.1.0",
    description="tlcore plugin: MaxoutLayer (Goodfellow et al., 2013).",
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore_maxout", "tlcore_maxout.*"]),
    install_requires=["tlcore>=0.1,<0.2"],
    entry_points={"tlcore.plugins": ["maxout = tlcore_maxout.plugin"]},
)
