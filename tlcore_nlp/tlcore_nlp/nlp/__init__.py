"""``tl.nlp``: vocabularies, text reading, skip-gram batches, sampling, translate helpers, BLEU.

TensorLayer 1.x's ``tl.nlp`` with the same names and semantics, without TensorFlow or nltk.
"""
from __future__ import annotations

from tlcore_nlp.nlp._bleu import corpus_bleu_stats, moses_multi_bleu
from tlcore_nlp.nlp._sample import sample, sample_top
from tlcore_nlp.nlp._skipgram import generate_skip_gram_batch
from tlcore_nlp.nlp._text import (process_sentence, read_analogies_file, read_words,
                                  simple_read_words)
from tlcore_nlp.nlp._translate import (EOS_ID, GO_ID, PAD_ID, UNK_ID, basic_tokenizer,
                                       create_vocabulary, data_to_token_ids,
                                       initialize_vocabulary, sentence_to_token_ids)
from tlcore_nlp.nlp._vocab import (SimpleVocabulary, Vocabulary, build_reverse_dictionary,
                                   build_vocab, build_words_dataset, create_vocab, save_vocab,
                                   word_ids_to_words, words_to_word_ids)

__all__ = [
    "EOS_ID",
    "GO_ID",
    "PAD_ID",
    "UNK_ID",
    "SimpleVocabulary",
    "Vocabulary",
    "basic_tokenizer",
    "build_reverse_dictionary",
    "build_vocab",
    "build_words_dataset",
    "corpus_bleu_stats",
    "create_vocab",
    "create_vocabulary",
    "data_to_token_ids",
    "generate_skip_gram_batch",
    "initialize_vocabulary",
    "moses_multi_bleu",
    "process_sentence",
    "read_analogies_file",
    "read_words",
    "sample",
    "sample_top",
    "save_vocab",
    "sentence_to_token_ids",
    "simple_read_words",
    "word_ids_to_words",
    "words_to_word_ids",
]
