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
from ._out_of_core import check_out_of_core, is_out_of_core, row_blocks, take_rows
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
    "check_out_of_core",
    "chunk_rows",
    "embed",
    "gradient_embedding_factors",
    "is_out_of_core",
    "iter_chunks",
    "kcenter_greedy",
    "kmeanspp_factored",
    "min_sq_distances",
    "predict_proba_chunked",
    "query_rng",
    "row_blocks",
    "seed_random_states",
    "stratified_indices",
    "take_rows",
    "top_k",
    "vstack_rows",
]
