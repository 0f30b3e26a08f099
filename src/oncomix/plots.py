"""Static figures for the report. Each plotting function returns a matplotlib figure (or None when there is
nothing to draw); :func:`embed` turns it into the base64 PNG the page inlines (so the HTML needs no other file) and
also writes it as SVG and PDF for publication."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "oncomix"  # the same SVG element ids on every run
matplotlib.rcParams["text.parse_math"] = False  # labels come from the input ("$x$" is a name, not maths to typeset)
import matplotlib.pyplot as plt  # noqa: E402
import mudata as md  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from oncomix.naming import subtype_order  # noqa: E402
from oncomix.omics import OMIC_TYPES  # noqa: E402

# one colour per subtype in every figure and in the page's script (report.py passes the mapping): Okabe & Ito's
# colour-blind-safe set, then Paul Tol's muted scheme; beyond 16 subtypes the colours repeat
SUBTYPE_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
)


def to_base64(fig: plt.Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def embed(fig: plt.Figure | None, name: str, folder: Path | None = None) -> str | None:
    """The figure as a base64 PNG for the page; with ``folder``, also written there as ``<name>.svg`` and
    ``<name>.pdf`` (vector; heatmap cells rasterised at 300 dpi), without dates, so a re-run writes the same files."""
    if fig is None:
        return None
    if folder is not None:
        fig.savefig(folder / f"{name}.svg", dpi=300, bbox_inches="tight", metadata={"Date": None})
        fig.savefig(folder / f"{name}.pdf", dpi=300, bbox_inches="tight", metadata={"CreationDate": None})
    return to_base64(fig)


def variance_explained(r2: pd.DataFrame) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(0.55 * r2.shape[1] + 2.5, 0.45 * r2.shape[0] + 1.2))
    image = ax.imshow(r2.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(r2.shape[1]), r2.columns, rotation=90)
    ax.set_yticks(range(r2.shape[0]), r2.index)
    for (i, j), value in np.ndenumerate(r2.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:.1f}",
            ha="center",
            va="center",
            fontsize=7,
            color="white" if value > r2.to_numpy().max() / 2 else "black",
        )
    fig.colorbar(image, ax=ax, label="% variance explained")
    return fig


def subtype_colours(names) -> dict[str, str]:
    """Each subtype's colour (hex), by its place in :func:`subtype_order`."""
    return {name: SUBTYPE_COLOURS[i % len(SUBTYPE_COLOURS)] for i, name in enumerate(subtype_order(names))}


def _colours(subtypes: pd.Series) -> dict[str, tuple]:
    return {
        name: matplotlib.colors.to_rgb(hex_colour)
        for name, hex_colour in subtype_colours(subtypes.dropna().unique()).items()
    }


def factor_scatter(factors: pd.DataFrame, subtypes: pd.Series, pairs: list[tuple[str, str]]) -> plt.Figure:
    colours = _colours(subtypes)
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.2 * len(pairs), 3.8), squeeze=False)
    for ax, (fx, fy) in zip(axes[0], pairs, strict=True):
        for subtype, colour in colours.items():
            chosen = subtypes[subtypes == subtype].index
            ax.scatter(factors.loc[chosen, fx], factors.loc[chosen, fy], s=12, color=colour, label=subtype, alpha=0.8)
        ax.set_xlabel(fx)
        ax.set_ylabel(fy)
    axes[0][-1].legend(title="subtype", bbox_to_anchor=(1.02, 1), loc="upper left", frameon=False)
    return fig


def k_selection(scores: pd.DataFrame) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    ax.plot(scores["k"], scores["silhouette"], "o-", label="mean silhouette")
    ax.plot(scores["k"], scores["prediction_strength"], "s--", label="prediction strength")
    ax.plot(scores["k"], scores["pac"], "^:", label="PAC (lower is clearer)")
    for k in scores.loc[scores["chosen"], "k"]:
        ax.axvline(k, color="grey", lw=1)
    ax.set_xlabel("number of subtypes k")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(frameon=False, fontsize=8)
    return fig


def consensus_heatmap(consensus: pd.DataFrame, subtypes: pd.Series) -> plt.Figure:
    """Consensus of the chosen k, tumours ordered by subtype (as written by the cluster step)."""
    fig, ax = plt.subplots(figsize=(4.6, 4.0))
    image = ax.imshow(consensus.to_numpy(), cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
    labels = subtypes.reindex(consensus.index).to_numpy()
    for b in np.flatnonzero(labels[1:] != labels[:-1]) + 0.5:
        ax.axvline(b, color="black", lw=0.6)
        ax.axhline(b, color="black", lw=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel(f"{len(consensus)} tumours, ordered by subtype")
    fig.colorbar(image, ax=ax, label="consensus (fraction of resamples together)")
    return fig


def zscores(frame: pd.DataFrame) -> pd.DataFrame:
    """Each column z-scored over the tumours (population SD; a constant column is missing), clipped at 3."""
    return ((frame - frame.mean()) / frame.std(ddof=0).replace(0, np.nan)).clip(-3, 3)


def marker_heatmap(
    mdata: md.MuData, view: str, markers: pd.DataFrame, subtypes: pd.Series, per_subtype: int
) -> plt.Figure | None:
    """Z-scored values of each subtype's top markers in one view, tumours ordered by subtype."""
    top = markers[(markers["omic"] == view) & markers["is_marker"]].groupby("subtype").head(per_subtype)
    features = list(dict.fromkeys(top["feature"]))
    if not features:
        return None
    data = mdata[view]
    frame = pd.DataFrame(np.asarray(data[:, features].X, dtype=float), index=data.obs_names, columns=features)
    ordered = subtypes.reindex(frame.index).dropna().sort_values(kind="stable")
    z = zscores(frame).loc[ordered.index].T
    fig, ax = plt.subplots(figsize=(8, 0.14 * len(features) + 1.6))
    image = ax.imshow(
        np.ma.masked_invalid(z.to_numpy()), cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto", interpolation="nearest"
    )
    fig.colorbar(image, ax=ax, label="z-score (clipped at 3)", fraction=0.03, pad=0.01)
    ax.set_yticks(range(len(features)), features, fontsize=6)
    boundaries = np.flatnonzero(ordered.to_numpy()[1:] != ordered.to_numpy()[:-1]) + 0.5
    for b in boundaries:
        ax.axvline(b, color="black", lw=0.8)
    starts = np.r_[0, boundaries + 0.5]
    ends = np.r_[boundaries + 0.5, len(ordered)]
    ax.set_xticks((starts + ends) / 2 - 0.5, [ordered.iloc[int(s)] for s in starts])
    ax.set_title(f"{view}: top markers per subtype (z-score, grey = missing)", fontsize=9)
    return fig


def oncoprint_genes(mdata: md.MuData, view: str, biomarkers: pd.DataFrame, top: int = 10) -> list[str]:
    """The ``top`` most often mutated genes of a mutation view, then its up markers (most specific first) not
    among them, up to 2 x ``top`` genes."""
    x = pd.DataFrame(np.asarray(mdata[view].X, dtype=float), columns=mdata[view].var_names)
    frequency = x.eq(1).sum() / x.notna().sum()  # among the tumours sequenced
    frequent = list(frequency.sort_values(ascending=False, kind="stable").index[:top])
    markers = biomarkers[(biomarkers["omic"] == view) & biomarkers["is_marker"] & (biomarkers["direction"] == "up")]
    specific = [g for g in markers.sort_values("combined_rank")["feature"].drop_duplicates() if g not in frequent]
    return frequent + specific[:top]


def oncoprint(mdata: md.MuData, view: str, genes: list[str], subtypes: pd.Series) -> plt.Figure | None:
    """Mutated (dark) or not of ``genes`` in each tumour of a mutation view, tumours ordered by subtype and, within
    it, by their mutations (the oncoprint ordering); a subtype colour band on top, grey = not sequenced."""
    if not genes:
        return None
    data = mdata[view]
    frame = pd.DataFrame(np.asarray(data[:, genes].X, dtype=float), index=data.obs_names, columns=genes)
    labels = subtypes.reindex(frame.index).dropna()
    frame = frame.loc[labels.index]
    weight = (frame.fillna(0).to_numpy() * 2.0 ** -np.arange(len(genes))).sum(axis=1)  # earlier genes first
    order = (
        pd.DataFrame({"subtype": labels.to_numpy(), "weight": -weight}, index=frame.index)
        .sort_values(["subtype", "weight"], kind="stable")
        .index
    )
    frame, labels = frame.loc[order], labels.loc[order]
    colours = _colours(labels)
    fig, (band, ax) = plt.subplots(
        2, 1, figsize=(8, 0.16 * len(genes) + 1.4), height_ratios=[0.5, len(genes) * 0.16], sharex=True
    )
    band.imshow([[colours[s] for s in labels]], aspect="auto", interpolation="nearest")
    band.set_yticks([])
    cmap = matplotlib.colors.ListedColormap(["#f2f2f2", "#1f1f5f"]).with_extremes(bad="#bdbdbd")
    ax.imshow(
        np.ma.masked_invalid(frame.T.to_numpy()), cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest"
    )
    rates = frame.mean()
    ax.set_yticks(range(len(genes)), [f"{g} ({rates[g]:.0%})" for g in genes], fontsize=6)
    starts = np.r_[0, np.flatnonzero(labels.to_numpy()[1:] != labels.to_numpy()[:-1]) + 1]
    for s in starts[1:]:
        ax.axvline(s - 0.5, color="white", lw=1.5)
    ends = np.r_[starts[1:], len(labels)]
    ax.set_xticks((starts + ends) / 2 - 0.5, [labels.iloc[s] for s in starts])
    band.set_title(
        f"{view}: most frequent and most subtype-specific mutated genes (dark = mutated; % of tumours)", fontsize=9
    )
    return fig


# reference labels: pale colours, apart from the subtypes' saturated ones (Okabe & Ito), so a label is not read as
# a subtype
CATEGORY_COLOURS = matplotlib.colormaps["Pastel1"].colors + matplotlib.colormaps["Pastel2"].colors
MUTATED = "#1b7837"  # dark green: apart from both ends of the z-score scale
OTHER = "other"  # the label of the rarer levels of a column with more levels than colours


def category_colours(labels: pd.Series) -> tuple[pd.Series, dict[str, tuple]]:
    """Labels with all but the commonest levels (one per colour) as 'other', and each kept level's colour."""
    counts = labels.dropna().astype(str).value_counts(sort=True)
    kept = (
        list(counts.index[: len(CATEGORY_COLOURS) - 1]) if len(counts) > len(CATEGORY_COLOURS) else list(counts.index)
    )
    shown = labels.astype(str).where(labels.astype(str).isin(kept), OTHER).where(labels.notna())
    colours = dict(zip(sorted(kept), CATEGORY_COLOURS, strict=False)) | {OTHER: (0.55, 0.55, 0.55)}
    return shown, colours


def _view_rows(mdata: md.MuData, view: str, features: list[str], tumours: pd.Index) -> pd.DataFrame:
    """Features x tumours of one view (NaN where a tumour lacks the view); continuous views z-scored, clipped at 3."""
    data = mdata[view]
    frame = pd.DataFrame(np.asarray(data[:, features].X, dtype=float), index=data.obs_names, columns=features)
    frame = frame.reindex(tumours)
    if not OMIC_TYPES[data.uns["omic_type"]].binary:
        frame = zscores(frame)
    return frame.T


def cohort_heatmap(
    mdata: md.MuData,
    markers: pd.DataFrame,
    subtypes: pd.Series,
    reference: pd.Series | None,
    per_subtype: int = 3,
) -> plt.Figure | None:
    """The cohort at a glance: each subtype's top ``per_subtype`` markers of every view in one heatmap (z-scores;
    mutation views as an oncoprint band, dark = mutated), tumours ordered by subtype (then reference label), under
    annotation tracks: subtype, the reference labels and, per view some tumours lack, which ones lack it."""
    top = markers[markers["is_marker"]].groupby(["omic", "subtype"], sort=False).head(per_subtype)
    features = {view: list(dict.fromkeys(top.loc[top["omic"] == view, "feature"])) for view in mdata.mod}
    features = {view: names for view, names in features.items() if names}
    if not features:
        return None
    order = {name: i for i, name in enumerate(subtype_order(subtypes.dropna().unique()))}
    keys = pd.DataFrame({"subtype": subtypes.dropna().map(order)})  # ST2 before ST10, as the cards
    if reference is not None:
        keys["reference"] = reference.reindex(keys.index).astype(str)
    tumours = keys.sort_values(list(keys.columns), kind="stable").index
    lacking = {
        view: ~pd.Series(np.asarray(mdata.obsm[view]).ravel(), index=mdata.obs_names).reindex(tumours)
        for view in mdata.mod
    }
    lacking = {view: flags for view, flags in lacking.items() if flags.any()}
    tracks = 1 + (reference is not None) + len(lacking)
    heights = [0.16] * tracks + [0.13 * len(names) for names in features.values()]
    fig, axes = plt.subplots(
        len(heights),
        1,
        figsize=(9, sum(heights) + 1.4),
        height_ratios=heights,
        sharex=True,
        gridspec_kw={"hspace": 0.08},
    )
    shown = subtypes.reindex(tumours)
    _track(axes[0], [_colours(shown)[s] for s in shown], "subtype")
    row = 1
    if reference is not None:
        labels, colours = category_colours(reference.reindex(tumours))
        _track(axes[row], [colours.get(label, (1, 1, 1)) for label in labels], f"reference: {reference.name}")
        handles = [
            matplotlib.patches.Patch(color=colour, label=label)
            for label, colour in colours.items()
            if label in set(labels.dropna())
        ]
        axes[row].legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 2),
            fontsize=6,
            frameon=False,
            title=reference.name,
            title_fontsize=7,
        )
        row += 1
    for view, flags in lacking.items():
        _track(axes[row], [(0.35, 0.35, 0.35) if flag else (0.93, 0.93, 0.93) for flag in flags], f"no {view}")
        row += 1
    image = None
    for ax, (view, names) in zip(axes[tracks:], features.items(), strict=True):
        values = _view_rows(mdata, view, names, tumours).to_numpy()
        if OMIC_TYPES[mdata[view].uns["omic_type"]].binary:
            cmap = matplotlib.colors.ListedColormap(["#f2f2f2", MUTATED]).with_extremes(bad="#bdbdbd")
            ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        else:
            image = ax.imshow(
                np.ma.masked_invalid(values), cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto", interpolation="nearest"
            )
        ax.set_yticks(range(len(names)), names, fontsize=6.5)
        ax.set_ylabel(view, rotation=0, ha="right", va="center", fontsize=8, labelpad=40)
    bounds = np.flatnonzero(shown.to_numpy()[1:] != shown.to_numpy()[:-1]) + 0.5
    for ax in axes:
        for b in bounds:
            ax.axvline(b, color="black", lw=0.8)
    starts, ends = np.r_[0, bounds + 0.5], np.r_[bounds + 0.5, len(shown)]
    axes[-1].set_xticks((starts + ends) / 2 - 0.5, [shown.iloc[int(s)] for s in starts], fontsize=8)
    for start, end in zip(starts, ends, strict=True):  # each subtype named on its own colour
        axes[0].text(
            (start + end) / 2 - 0.5, 0, shown.iloc[int(start)], ha="center", va="center", fontsize=7, color="white"
        )
    if image is not None:
        fig.colorbar(
            image,
            ax=list(axes),
            orientation="horizontal",
            location="bottom",
            shrink=0.4,
            aspect=40,
            pad=0.04,
            label="z-score within the cohort (clipped at 3)",
        )
    axes[0].set_title(
        f"{len(tumours)} tumours by subtype: the top {per_subtype} markers of each subtype in every view "
        "(grey: not measured; green: mutated)",
        fontsize=9,
    )
    return fig


def _track(ax: plt.Axes, colours: list, label: str) -> None:
    """One annotation row of the cohort heatmap."""
    ax.imshow([colours], aspect="auto", interpolation="nearest")
    ax.set_yticks([0], [label], fontsize=7)
    ax.tick_params(axis="x", length=0)


def _stack(sizes: pd.Series, gap: float) -> dict[str, float]:
    """Where each block of a column starts, blocks in ``sizes``' order with ``gap`` between them."""
    starts = np.r_[0, np.cumsum(sizes.to_numpy() + gap)[:-1]]
    return dict(zip(sizes.index, starts, strict=True))


def alluvial(subtypes: pd.Series, other: pd.Series, titles: tuple[str, str]) -> plt.Figure | None:
    """Flows (an alluvial or Sankey diagram) between the subtypes (left, in their colours) and another labelling of
    the same tumours (right: reference labels, or the finer level); band widths are tumour counts."""
    both = pd.concat([subtypes, other], axis=1, keys=["left", "right"]).dropna().astype(str)
    if both.empty:
        return None
    counts = pd.crosstab(both["left"], both["right"]).loc[subtype_order(both["left"]), subtype_order(both["right"])]
    colours, gap, t = _colours(subtypes), 0.02 * len(both), np.linspace(0, 1, 60)  # every subtype's, as elsewhere
    ease = 3 * t**2 - 2 * t**3  # the bands leave and arrive horizontally
    sizes = {"left": counts.sum(axis=1), "right": counts.sum(axis=0)}
    starts = {side: _stack(sizes[side], gap) for side in sizes}
    left, right = dict(starts["left"]), dict(starts["right"])  # where each block's next band starts
    fig, ax = plt.subplots(figsize=(6.4, max(3.5, 0.22 * max(counts.shape) + 2)))
    for name, row in counts.iterrows():
        for label, n in row[row > 0].items():
            low = left[name] + (right[label] - left[name]) * ease
            ax.fill_between(0.1 + 0.8 * t, low, low + n, color=colours[name], alpha=0.45, lw=0)
            left[name] += n
            right[label] += n
    for x, side, block_colours in ((0.1, "left", colours), (0.9, "right", {})):  # the two columns of blocks
        label_side = "right" if side == "left" else "left"
        for name, size in sizes[side].items():
            ax.add_patch(
                matplotlib.patches.Rectangle(
                    (x - 0.015, starts[side][name]), 0.03, size, color=block_colours.get(name, "#707070")
                )
            )
            ax.text(
                x - 0.03 if side == "left" else x + 0.03,
                starts[side][name] + size / 2,
                f"{name} ({size})",
                va="center",
                ha=label_side,
                fontsize=7,
            )
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(len(both) + gap * max(counts.shape), 0)
    ax.axis("off")
    ax.set_title(f"{titles[0]} (left) and {titles[1]} (right), {len(both)} tumours", fontsize=9)
    return fig


def time_ticks(end: float) -> np.ndarray:
    """Readable follow-up ticks from 0 to ``end``: at most 6 steps of 1, 2, 3 or 6 x a power of ten (0, 20, 40...)."""
    ticks = matplotlib.ticker.MaxNLocator(nbins=6, steps=[1, 2, 3, 6, 10]).tick_values(0, end)
    return ticks[(ticks >= 0) & (ticks <= end)]


def kaplan_meier(km: pd.DataFrame, time_label: str) -> plt.Figure:
    """Kaplan-Meier curves per subtype (``survival.kaplan_meier`` layout) with 95% bands and numbers at risk."""
    colours = _colours(km["subtype"])
    fig, (ax, risk) = plt.subplots(2, 1, figsize=(7, 5.2), height_ratios=[4, 1.2], sharex=True)
    ticks = time_ticks(km["time"].max())
    for row, (subtype, curve) in enumerate(km.groupby("subtype")):
        colour = colours[subtype]
        ax.step(curve["time"], curve["survival"], where="post", color=colour, label=subtype)
        ax.fill_between(curve["time"], curve["ci_low"], curve["ci_high"], step="post", color=colour, alpha=0.12)
        censored = curve[curve["censored"] > 0]
        ax.plot(censored["time"], censored["survival"], "|", color=colour, markersize=6)
        for tick in ticks:
            later = curve[curve["time"] >= tick]
            risk.text(
                tick,
                row,
                str(int(later["at_risk"].iloc[0])) if len(later) else "0",
                ha="center",
                va="center",
                fontsize=7,
                color=colour,
            )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("survival probability")
    ax.legend(title="subtype", frameon=False, loc="lower left")
    risk.set_yticks(range(km["subtype"].nunique()), sorted(colours), fontsize=7)
    risk.set_ylim(km["subtype"].nunique() - 0.5, -0.5)
    risk.set_xticks(ticks, [f"{t:g}" for t in ticks])
    risk.set_xlabel(time_label)
    risk.set_title("number at risk", fontsize=8, loc="left")
    for side in ("top", "right", "bottom"):
        risk.spines[side].set_visible(False)
    return fig
