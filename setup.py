"""Distribution ``tlcore``: the core of the TensorLayer successor (layers, registry, training,
persistence, data). Convolution, NLP and RL live in the separately installed plugins."""
from setuptools import find_packages, setup

setup(
    name="tlcore",
    version="0.1.0",
    description="TensorLayer's simplicity on TensorFlow 2: hand-chained layers, plugins by entry point.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["tlcore", "tlcore.*"]),
    package_data={"tlcore": ["files/data/mnist/*.gz", "files/data/mnist/SHA256SUMS"]},
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
                 "scikit-learn>=1.2"],
        "tensorboard": ["tensorboard>=2.16"],
        # tl.visualize.tsne_embedding (the word2vec example's map of words)
        "tsne": ["scikit-learn>=1.2"],
    },
    entry_points={"console_scripts": ["tlcore = tlcore.cli:main"]},
)
