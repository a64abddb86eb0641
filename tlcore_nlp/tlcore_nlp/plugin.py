"""The ``nlp`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import hookimpl

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {}


#: namespace (tl.<name>) -> "module:" (an empty attribute is the module itself)
MODULES: dict[str, str] = {
    "nlp": "tlcore_nlp.nlp:",
}


#: dataset name (tl.files.load_<name>_dataset) -> "module:attr"
DATASETS: dict[str, str] = {
    "ptb": "tlcore_nlp.datasets:load_ptb_dataset",
    "matt_mahoney_text8": "tlcore_nlp.datasets:load_matt_mahoney_text8_dataset",
    "imdb": "tlcore_nlp.datasets:load_imdb_dataset",
    "nietzsche": "tlcore_nlp.datasets:load_nietzsche_dataset",
    "wmt_en_fr": "tlcore_nlp.datasets:load_wmt_en_fr_dataset",
    "multi30k": "tlcore_nlp.datasets:load_multi30k_dataset",
}


#: example name (tlcore run <name>) -> "module:attr" of a ``main(args) -> int``
EXAMPLES: dict[str, str] = {
    "word2vec": "tlcore_nlp.examples.word2vec:main",
    "ptb-lstm": "tlcore_nlp.examples.ptb_lstm:main",
    "generate-text": "tlcore_nlp.examples.generate_text:main",
}


@hookimpl
def register_layers(register):
    for name, target in LAYERS.items():
        register(name, target)


@hookimpl
def register_modules(register):
    for name, target in MODULES.items():
        register(name, target)


@hookimpl
def register_datasets(register):
    for name, target in DATASETS.items():
        register(name, target)


@hookimpl
def register_examples(register):
    for name, target in EXAMPLES.items():
        register(name, target)
