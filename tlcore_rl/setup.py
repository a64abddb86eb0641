"""Distribution ``tlcore-rl``: a tlcore plugin, registered under the entry point ``rl``."""
from setuptools import find_packages, setup

setup(
    name="tlcore-rl",
    version="0.1.0",
    description="tlcore plugin: rl layers, functions, datasets and examples.",
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore_rl", "tlcore_rl.*"]),
    install_requires=["tlcore>=0.1,<0.2", "gymnasium>=1.0", "ale-py>=0.10"],
    entry_points={"tlcore.plugins": ["rl = tlcore_rl.plugin"]},
)
