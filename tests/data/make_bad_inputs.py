"""Write tests/data/good/ (a tiny valid cohort) and tests/data/bad/<case>/ (one malformed input per case).

Each case folder holds config.yaml (paths relative to a work folder holding good/ and the case folder),
the bad file(s) it needs, and expect.txt: a comment line saying what is wrong, then one line per text the
error message must contain. Run from the repository root: python tests/data/make_bad_inputs.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import anndata as ad
import mudata as md
import numpy as np
import pandas as pd
import yaml

DATA = Path(__file__).resolve().parent
N_TUMOURS = 30
VIEWS = {"rna": "rna_counts", "mutation": "mutation", "protein": "protein", "metabolite": "metabolite"}


def good_cohort(seed: int = 3) -> dict[str, pd.DataFrame]:
    """Random but valid views (features x samples) and a sample sheet."""
    rng = np.random.default_rng(seed)
    ids = [f"T{i:03d}" for i in range(1, N_TUMOURS + 1)]

    def frame(values, prefix):
        return pd.DataFrame(
            values, index=pd.Index([f"{prefix}{j}" for j in range(len(values))], name="feature_id"), columns=ids
        )

    views = {
        "rna": frame(rng.negative_binomial(5, 0.05, (40, N_TUMOURS)), "GENE"),
        "mutation": frame((rng.random((15, N_TUMOURS)) < 0.3).astype(int), "MUT"),
        "protein": frame(rng.normal(0, 1, (20, N_TUMOURS)).round(4), "PROT"),
        "metabolite": frame(rng.lognormal(3, 1, (15, N_TUMOURS)).round(3), "MET"),
    }
    views["samples"] = pd.DataFrame(
        {
            "sample_id": ids,
            "age": rng.integers(35, 85, N_TUMOURS),
            "stage": rng.choice(["I", "II", "III"], N_TUMOURS),
            "os_months": rng.exponential(40, N_TUMOURS).round(1),
            "os_event": rng.integers(0, 2, N_TUMOURS),
        }
    )
    return views


def base_config(case: str) -> dict:
    return {
        "cohort": case,
        "samples": "good/samples.tsv",
        "omics": {name: {"path": f"good/{name}.tsv", "type": omic_type} for name, omic_type in VIEWS.items()},
        "survival": {"time": "os_months", "event": "os_event"},
        "clustering": {"k_max": 4},
    }


def write_view(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, sep="\t")


def write_sheet(sheet: pd.DataFrame, path: Path) -> None:
    sheet.to_csv(path, sep="\t", index=False)


class Case:
    """A bad case: edits the good cohort and/or the config, writes what it changed into its folder."""

    def __init__(self, name: str, what: str, expect: list[str]):
        self.name, self.what, self.expect = name, what, expect
        self.folder = DATA / "bad" / name
        self.config = base_config(name)
        self.config_text: str | None = None  # written as config.yaml instead of ``config`` (YAML a dict cannot give)

    def view(
        self, name: str, frame: pd.DataFrame | None = None, text: str | bytes | None = None, filename: str | None = None
    ):
        filename = filename or f"{name}.tsv"
        path = self.folder / filename
        if frame is not None:
            write_view(frame, path)
        elif isinstance(text, bytes):
            path.write_bytes(text)
        elif text is not None:
            path.write_text(text)
        self.config["omics"][name]["path"] = f"{self.name}/{filename}"
        return self

    def sheet(self, sheet: pd.DataFrame):
        write_sheet(sheet, self.folder / "samples.tsv")
        self.config["samples"] = f"{self.name}/samples.tsv"
        return self

    def write(self):
        (self.folder / "config.yaml").write_text(self.config_text or yaml.safe_dump(self.config, sort_keys=False))
        (self.folder / "expect.txt").write_text("\n".join([f"# {self.what}", *self.expect]) + "\n")


def cases(good: dict[str, pd.DataFrame]) -> list[Case]:
    rna, mutation, protein, metabolite, sheet = (
        good[k].copy() for k in ("rna", "mutation", "protein", "metabolite", "samples")
    )
    made = []

    def case(name, what, expect):
        made.append(Case(name, what, expect))
        made[-1].folder.mkdir(parents=True, exist_ok=True)
        return made[-1]

    # --- configuration (checked before any job) ---
    c = case(
        "config_unknown_key", "a typo in a top-level key", ["config.yaml", "unknown key 'seeed'", "did you mean 'seed'"]
    )
    c.config["seeed"] = 1
    c = case(
        "config_nested_typo",
        "a typo in a nested key",
        ["config.yaml", "unknown key 'k_mx' in clustering", "did you mean 'k_max'"],
    )
    c.config["clustering"] = {"k_mx": 4}
    c = case(
        "config_bad_type",
        "an omic type that does not exist",
        ["config.yaml", "omics.rna.type", "did you mean 'rna_counts'"],
    )
    c.config["omics"]["rna"]["type"] = "rna_count"
    c = case(
        "config_k_range", "k_min larger than k_max", ["config.yaml", "k_min (5) is larger than clustering.k_max (4)"]
    )
    c.config["clustering"]["k_min"] = 5
    c = case(
        "config_cohort_dot_dot",
        "a cohort name that would write outside results/<cohort>/",
        ["config.yaml", "cohort: '..' is not a valid value", "not starting with '.'"],
    )
    c.config["cohort"] = ".."
    c = case(
        "config_bad_regex",
        "sample_id_pattern is not a regular expression",
        ["config.yaml", "sample_id_pattern", "not a valid regular expression"],
    )
    c.config["sample_id_pattern"] = "^(TCGA-[A-Z"
    c = case(
        "config_maf_not_mutation",
        "a MAF given for a non-mutation view",
        ["config.yaml", "omics.protein is a MAF", "type: mutation"],
    )
    c.config["omics"]["protein"]["format"] = "maf"
    c = case(
        "missing_view_file",
        "a view file that does not exist",
        ["missing_view_file/rna.tsv: file not found", "omics.rna.path"],
    )
    c.config["omics"]["rna"]["path"] = "missing_view_file/rna.tsv"
    c = case(
        "missing_sample_sheet",
        "a sample sheet that does not exist",
        ["missing_sample_sheet/samples.tsv: file not found", "'samples'"],
    )
    c.config["samples"] = "missing_sample_sheet/samples.tsv"

    # --- unreadable tables ---
    lines = rna.to_csv(sep="\t").splitlines()
    lines[5] += "\t17\t4"
    case("ragged_rows", "a row with more cells than the header", ["ragged_rows/rna.tsv", "cannot be read"]).view(
        "rna", text="\n".join(lines) + "\n"
    )
    case("not_gzip", "a .gz file that is not gzip", ["not_gzip/rna.tsv.gz", "cannot be read"]).view(
        "rna", text=b"\x00\x01 not a gzip stream", filename="rna.tsv.gz"
    )
    case("empty_file", "a zero-byte view file", ["empty_file/protein.tsv", "the file is empty"]).view(
        "protein", text=""
    )
    case("header_only", "a view with a header and no features", ["header_only/protein.tsv", "the view is empty"]).view(
        "protein", text=lines[0] + "\n"
    )
    case(
        "corrupt_parquet",
        "a .parquet file that is not parquet",
        ["corrupt_parquet/protein.parquet", "cannot be read as a parquet"],
    ).view("protein", text="feature_id\tT001\n", filename="protein.parquet")
    case(
        "corrupt_h5ad", "a .h5ad file that is not HDF5", ["corrupt_h5ad/protein.h5ad", "cannot be read as a h5ad"]
    ).view("protein", text="not hdf5", filename="protein.h5ad")

    # --- identifiers ---
    dup = rna.copy()
    dup.columns = [*dup.columns[:-1], dup.columns[0]]
    case(
        "duplicate_sample_in_view",
        "the same sample twice in a view",
        ["duplicate_sample_in_view/rna.tsv", "duplicate sample id(s) T001"],
    ).view("rna", dup)
    dup = protein.copy()
    dup.index = [*dup.index[:-1], dup.index[0]]
    case(
        "duplicate_feature",
        "the same feature twice with duplicate_features: error",
        ["duplicate_feature/protein.tsv", "duplicate feature id(s) PROT0", "duplicate_features"],
    ).view("protein", dup.rename_axis("feature_id"))
    case(
        "sheet_duplicate_ids",
        "a sample twice in the sample sheet",
        ["sheet_duplicate_ids/samples.tsv", "duplicate sample_id(s) T002"],
    ).sheet(pd.concat([sheet, sheet.iloc[[1]]]))
    case(
        "sheet_no_sample_id",
        "no sample_id column in the sample sheet",
        ["sheet_no_sample_id/samples.tsv", "no 'sample_id' column"],
    ).sheet(sheet.rename(columns={"sample_id": "patient"}))
    blank = sheet.astype({"sample_id": object})
    blank.loc[4, "sample_id"] = ""
    case(
        "sheet_empty_id",
        "an empty sample_id in the sample sheet",
        ["sheet_empty_id/samples.tsv", "row 6", "non-empty sample_id"],
    ).sheet(blank)
    case(
        "view_no_sheet_samples",
        "a view whose ids are all unknown (features and samples swapped)",
        ["view_no_sheet_samples/protein.tsv", "none of its"],
    ).view("protein", protein.T.rename_axis("feature_id"))
    unknown = mutation.rename(columns={"T007": "T999", "T008": "X8"})
    case(
        "view_unknown_samples",
        "a view with samples not in the sample sheet",
        ["view_unknown_samples/mutation.tsv", "2 sample(s) not in the sample sheet", "T999"],
    ).view("mutation", unknown)
    c = case(
        "ids_collide",
        "two aliquots of one patient after harmonising the ids",
        ["ids_collide/rna.tsv", "collide under sample_id_pattern", "'T001-01A' and 'T001-06A'"],
    )
    c.config["sample_id_pattern"] = "^(T[0-9]{3})"
    c.view("rna", rna.rename(columns={"T001": "T001-01A", "T002": "T001-06A"}))
    c = case(
        "ids_do_not_match_pattern",
        "ids that the harmonising pattern does not match",
        ["ids_do_not_match_pattern/samples.tsv", "do not match sample_id_pattern", "P-05"],
    )
    c.config["sample_id_pattern"] = "^(T[0-9]{3})"
    c.sheet(sheet.assign(sample_id=sheet["sample_id"].replace({"T005": "P-05"})))

    # --- values ---
    bad = protein.astype(object)
    bad.loc["PROT3", "T004"] = "12,5"
    case(
        "non_numeric_cell",
        "a decimal comma in a numeric view",
        ["non_numeric_cell/protein.tsv", "non-numeric", "'T004'", "'PROT3'", "'12,5'"],
    ).view("protein", bad)
    bad = protein.astype(object)
    bad.loc["PROT2"] = "TRUE"
    case("boolean_cells", "TRUE in a numeric view", ["boolean_cells/protein.tsv", "non-numeric", "'PROT2'"]).view(
        "protein", bad
    )
    bad = protein.copy()
    bad.loc["PROT1", "T010"] = np.inf
    case(
        "infinite_value", "an infinite value", ["infinite_value/protein.tsv", "infinite value(s)", "'T010'", "'PROT1'"]
    ).view("protein", bad)
    bad = rna.copy()
    bad.loc["GENE5", "T003"] = -2
    case(
        "negative_counts",
        "a negative RNA count",
        ["negative_counts/rna.tsv", "negative value(s)", "'GENE5'", "rna_counts"],
    ).view("rna", bad)
    bad = metabolite.copy()
    bad.loc["MET4", "T020"] = -0.5
    case(
        "negative_intensity",
        "a negative metabolite intensity",
        ["negative_intensity/metabolite.tsv", "negative value(s)", "'MET4'"],
    ).view("metabolite", bad)
    bad = mutation.copy()
    bad.loc["MUT2", "T011"] = 2
    case(
        "mutation_not_binary",
        "a 2 in a mutation view",
        ["mutation_not_binary/mutation.tsv", "other than 0/1", "'MUT2'"],
    ).view("mutation", bad)
    c = case(
        "methylation_out_of_range", "a beta value above 1", ["methylation_out_of_range/methylation.tsv", "outside 0..1"]
    )
    beta = pd.DataFrame(
        np.random.default_rng(1).uniform(0, 1, (10, N_TUMOURS)).round(3),
        index=pd.Index([f"cg{i}" for i in range(10)], name="feature_id"),
        columns=sheet["sample_id"],
    )
    beta.iloc[2, 3] = 1.4
    c.config["omics"]["methylation"] = {"path": "", "type": "methylation"}
    c.view("methylation", beta)
    case(
        "all_constant_view",
        "a view in which every feature is constant",
        ["all_constant_view/protein.tsv", "no informative feature"],
    ).view("protein", protein * 0 + 1)
    c = case(
        "too_few_tumours",
        "fewer tumours than clustering up to k_max needs",
        ["too_few_tumours/samples.tsv", "only 8 tumour(s)", "k_max"],
    )
    few = sheet["sample_id"][:8].tolist()
    c.sheet(sheet.iloc[:8])
    for name, frame in (("rna", rna), ("mutation", mutation), ("protein", protein), ("metabolite", metabolite)):
        c.view(name, frame[few])

    # --- survival ---
    case(
        "survival_negative_time",
        "a negative follow-up time",
        ["survival_negative_time/samples.tsv", "'os_months' must be a time >= 0", "T003"],
    ).sheet(sheet.assign(os_months=sheet["os_months"].where(sheet["sample_id"] != "T003", -4)))
    case(
        "survival_bad_event",
        "an event code other than 0/1",
        ["survival_bad_event/samples.tsv", "0 (censored) or 1 (event)", "T006"],
    ).sheet(sheet.assign(os_event=sheet["os_event"].where(sheet["sample_id"] != "T006", 2)))
    c = case(
        "config_bad_clustering_method",
        "a clustering algorithm spelled wrong",
        ["config.yaml", "clustering.method = 'k-means'", "did you mean 'kmeans'"],
    )
    c.config["clustering"]["method"] = "k-means"
    c = case(
        "sheet_missing_reference_column",
        "compare_to names a column the sample sheet lacks",
        ["good/samples.tsv", "column 'pam50' not found", "fix 'compare_to'"],
    )
    c.config["compare_to"] = "pam50"
    c = case(
        "sheet_missing_covariate_column",
        "a technical covariate that is not in the sample sheet",
        ["good/samples.tsv", "column 'purity' not found", "clustering.technical_covariates"],
    )
    c.config["clustering"]["technical_covariates"] = ["purity"]
    c = case(
        "gene_map_missing_column",
        "a gene map without the feature_id / gene_symbol columns",
        ["gene_map_missing_column/map.tsv", "lacks column(s) feature_id, gene_symbol"],
    )
    (c.folder / "map.tsv").write_text("antibody\tgene\nPROT1\tERBB2\n")
    c.config["omics"]["protein"]["gene_map"] = f"{c.name}/map.tsv"
    c = case(
        "targeting_table_missing",
        "an extra surface table that does not exist",
        ["targeting_table_missing/surface.tsv: file not found", "targeting.surface_tables[0]"],
    )
    c.config["targeting"] = {"surface_tables": [f"{c.name}/surface.tsv"]}
    c = case(
        "survival_missing_column",
        "a survival column that is not in the sample sheet",
        ["good/samples.tsv", "survival time column 'os_days' not found"],
    )
    c.config["survival"]["time"] = "os_days"

    # --- other formats ---
    c = case(
        "maf_missing_column",
        "a MAF without the variant class column",
        ["maf_missing_column/mutations.maf", "MAF column(s) Variant_Classification not found"],
    )
    maf = pd.DataFrame(
        {
            "Hugo_Symbol": ["TP53", "KRAS"],
            "Tumor_Sample_Barcode": ["T001", "T002"],
            "Consequence": ["missense", "missense"],
        }
    )
    c.view("mutation", text=maf.to_csv(sep="\t", index=False), filename="mutations.maf")
    c = case(
        "h5mu_missing_modality",
        "a .h5mu without the named modality",
        ["h5mu_missing_modality/cohort.h5mu", "no modality 'prot'", "protein"],
    )
    adata = ad.AnnData(
        protein.T.to_numpy(dtype=float),
        obs=pd.DataFrame(index=protein.columns),
        var=pd.DataFrame(index=protein.index.astype(str)),
    )
    md.MuData({"protein": adata}).write(c.folder / "cohort.h5mu")
    c.config["omics"]["protein"].update(path=f"{c.name}/cohort.h5mu", modality="prot")
    c = case(
        "cbioportal_id_column",
        "an id_column that is not in the header",
        ["cbioportal_id_column/rna.tsv", "Hugo_Symbol", "not in the header"],
    )
    c.config["omics"]["rna"].update(id_column="Hugo_Symbol", drop_columns=["Entrez_Gene_Id"])
    c.view("rna", rna.rename_axis("Gene"))

    # --- silently wrong or misleading before (issue 20) ---
    bad = protein.copy()
    bad.loc["PROT6", "T012"] = 1e308
    case(
        "overflow_protein",
        "a value near the largest float in a protein view",
        ["overflow_protein/protein.tsv", "value(s) beyond 1e+15", "'T012'", "'PROT6'"],
    ).view("protein", bad)
    bad = rna.astype(float)
    bad.loc["GENE7", "T014"] = 1e308
    case(
        "overflow_counts",
        "a count near the largest float",
        ["overflow_counts/rna.tsv", "value(s) beyond 1e+15", "'GENE7'"],
    ).view("rna", bad)
    twice = sheet.assign(age2=sheet["age"]).rename(columns={"age2": "age"})
    case(
        "sheet_duplicate_column",
        "a column name twice in the sample sheet",
        ["sheet_duplicate_column/samples.tsv", "column name(s) age appear more than once"],
    ).sheet(twice)
    unnamed = sheet.assign(extra=sheet["age"]).rename(columns={"extra": ""})
    case(
        "sheet_unnamed_column",
        "a column with values but no name",
        ["sheet_unnamed_column/samples.tsv", "column(s) 6 (counting from 1) have values but no name"],
    ).sheet(unnamed)
    c = case(
        "batch_missing",
        "a tumour measured in a view without its batch",
        [
            "batch_missing/samples.tsv",
            "'metabolomics_batch' (the batch of view 'metabolite') is empty for 1 tumour(s)",
            "T009",
        ],
    )
    c.config["omics"]["metabolite"]["batch"] = "metabolomics_batch"
    c.sheet(
        sheet.assign(
            metabolomics_batch=np.where(
                sheet["sample_id"] == "T009", "", np.where(np.arange(len(sheet)) % 2, "b1", "b2")
            )
        )
    )
    c = case(
        "config_yaml_alias",
        "a YAML alias bomb in the config",
        ["config.yaml: line 2: a YAML alias (*a)", "No job was run"],
    )
    c.config_text = (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n" + yaml.safe_dump(c.config)
    )
    case(
        "sheet_header_only",
        "a sample sheet with a header and no tumour",
        ["sheet_header_only/samples.tsv", "has no tumours (a header only)"],
    ).sheet(sheet.iloc[:0])
    c = case(
        "samples_is_a_folder",
        "a folder given as the sample sheet",
        ["samples_is_a_folder/sheet: is a folder, not a file", "'samples'"],
    )
    (c.folder / "sheet").mkdir(exist_ok=True)
    (c.folder / "sheet" / "samples.tsv").write_text("sample_id\n")
    c.config["samples"] = f"{c.name}/sheet"
    c = case(
        "sheet_semicolons",
        "a sample sheet .csv separated by semicolons",
        ["sheet_semicolons/samples.csv", "no 'sample_id' column", "separated by ';'"],
    )
    sheet.to_csv(c.folder / "samples.csv", sep=";", index=False)
    c.config["samples"] = f"{c.name}/samples.csv"
    c = case(
        "view_csv_with_tabs",
        "a tab-separated view named .csv",
        ["view_csv_with_tabs/protein.csv", "one column only", "separated by tabs"],
    )
    c.view("protein", text=protein.to_csv(sep="\t"), filename="protein.csv")
    case(
        "ids_trailing_space",
        "a sample id with a trailing space in a view",
        ["ids_trailing_space/mutation.tsv", "'T004 '"],
    ).view("mutation", mutation.rename(columns={"T004": "T004 "}))
    c = case(
        "gene_map_misspelt",
        "gene_map: rpa instead of rppa",
        ["rpa: file not found (did you mean 'rppa'", "omics.protein.gene_map"],
    )
    c.config["omics"]["protein"]["gene_map"] = "rpa"
    c = case(
        "config_problems_at_once",
        "a typo and a missing file in one config",
        ["2 input problem(s)", "unknown key 'seeed'", "config_problems_at_once/rna.tsv: file not found"],
    )
    c.config["seeed"] = 1
    c.config["omics"]["rna"]["path"] = f"{c.name}/rna.tsv"
    return made


def main() -> None:
    good = good_cohort()
    shutil.rmtree(DATA / "good", ignore_errors=True)
    shutil.rmtree(DATA / "bad", ignore_errors=True)
    (DATA / "good").mkdir(parents=True)
    for name in VIEWS:
        write_view(good[name], DATA / "good" / f"{name}.tsv")
    write_sheet(good["samples"], DATA / "good" / "samples.tsv")
    (DATA / "good" / "config.yaml").write_text(yaml.safe_dump(base_config("good"), sort_keys=False))
    for case in cases(good):
        case.write()
    print(f"wrote {len(list((DATA / 'bad').iterdir()))} bad cases")


if __name__ == "__main__":
    main()
