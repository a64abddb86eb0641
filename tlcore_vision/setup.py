"""Distribution ``tlcore-vision``: a tlcore plugin, registered under the entry point ``vision``."""
from setuptools import find_packages, setup

setup(
    name="tlcore-vision",
    version="0.1.0",
    description="tlcore plugin: vision layers, functions, datasets and examples.",
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore_vision", "tlcore_vision.*"]),
    install_requires=["tlcore>=0.1,<0.2", "scipy>=1.10"],
    entry_points={"tlcore.plugins": ["vision = tlcore_vision.plugin"]},
)
