"""Formulas copied verbatim from public textbooks, course notes and papers, each with the
reading it must have (written by hand as an S-expression) or the construct its rejection
must name. Used by tests/test_corpus.py and by the reader's property tests."""
