"""Replication counts joined onto the marker table: each candidate's ``replication_rate`` and ``replicated``.

Apart from ``replication`` (which trains MOFA in every half), so that the biomarkers rule needs no mofapy2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

KEYS = ["subtype", "omic", "feature", "direction"]


@dataclass
class Replication:
    markers: pd.DataFrame  # subtype, omic, feature, direction, halves_replicated
    halves: pd.DataFrame  # per half: split, half, tumours, ARI of its subtypes with the full-cohort ones


def add_replication(biomarkers: pd.DataFrame, replication: Replication, alpha: float, min_rate: float) -> pd.DataFrame:
    """Add ``replication_rate`` (candidates only: the fraction of halves in which the feature replicates) and
    ``replicated`` (a candidate with rate >= ``min_rate``; every candidate when replication was switched off)."""
    tested = biomarkers["is_marker"] | (biomarkers["q"] < alpha)
    if replication.halves.empty:
        return biomarkers.assign(replication_rate=np.nan, replicated=tested)
    out = biomarkers.merge(replication.markers, on=KEYS, how="left")
    rate = out["halves_replicated"].fillna(0) / len(replication.halves)
    out["replication_rate"] = rate.where(tested.to_numpy())
    out["replicated"] = tested.to_numpy() & (rate >= min_rate)
    return out.drop(columns="halves_replicated")
