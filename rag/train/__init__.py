"""Train the answer ranker (`python -m rag.train`): a small cross-encoder scoring P(sentence answers question).

Data: the SQuAD copies in `train/squad/`. Output: a model folder (default `models/answer-ranker`)
that `rag.rerank.load_ranker` verifies and loads.
"""
