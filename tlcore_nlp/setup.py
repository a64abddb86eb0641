"""Distribution ``tlcore-nlp``: a tlcore plugin, registered under the entry point ``nlp``."""
from setuptools import find_packages, setup

setup(
    name="tlcore-nlp",
    version="0.1.0",
    description="tlcore plugin: nlp layers, functions, datasets and examples.",
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore_nlp", "tlcore_nlp.*"]),
    install_requires=["tlcore>=0.1,<0.2"],
    entry_points={"tlcore.plugins": ["nlp = tlcore_nlp.plugin"]},
)
