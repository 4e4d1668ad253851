"""Utilities shared by strategies: selection, embeddings and kernels."""

from ._embedding import (
    chunk_rows,
    embed,
    gradient_embedding_factors,
    iter_chunks,
    predict_proba_chunked,
    vstack_rows,
)
from ._kernels import kcenter_greedy, kmeanspp_factored, min_sq_distances
from ._random import seed_random_states
from ._selection import (
    check_batch_size,
    check_indices,
    query_rng,
    stratified_indices,
    top_k,
)

__all__ = [
    "check_batch_size",
    "check_indices",
    "chunk_rows",
    "embed",
    "gradient_embedding_factors",
    "iter_chunks",
    "kcenter_greedy",
    "kmeanspp_factored",
    "min_sq_distances",
    "predict_proba_chunked",
    "query_rng",
    "seed_random_states",
    "stratified_indices",
    "top_k",
    "vstack_rows",
]
