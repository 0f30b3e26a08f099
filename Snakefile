# oncomix: multi-omics tumour subtypes and biomarkers per subtype.
# Run:  snakemake --cores 2 --configfile config/config.yaml   (see README.md)
import sys
from pathlib import Path

from snakemake.utils import min_version

from oncomix.config import check_config, refuse_yaml_aliases
from oncomix.errors import OncomixInputError
from oncomix.runlock import hold_cohort_lock
from oncomix.simulate import cohort_files

min_version("9.0")


report: "workflow/report/workflow.rst"


# The demo config is the default. It is not loaded when --configfile is given: Snakemake would otherwise
# merge the two, and the demo's views would leak into another cohort.
if not config:

    configfile: "config/config.yaml"


# The demo cohort is written by rule simulate_demo (workflow/rules/demo.smk) when a run needs it: a fresh clone
# runs, dry-runs and lints with no other step.
DEMO = "resources/demo"
DEMO_FILES = [f"{DEMO}/{name}" for name in cohort_files()]


# The schema (workflow/schemas/config.schema.yaml) with defaults filled in, typos named with the nearest valid
# key, and missing input files (but the demo's, which a rule writes), all reported at once before any job; file
# contents are checked by rule validate. YAML aliases are refused first: nested ones expand without bound.
try:
    for path in workflow.configfiles:
        refuse_yaml_aliases(Path(path).read_text(), path)
    check_config(config, source=" + ".join(map(str, workflow.configfiles)) or "config", produced=DEMO_FILES)
except OncomixInputError as error:
    sys.exit(f"{error}\nNo job was run.")


# One run per cohort at a time (oncomix.runlock): a second run of this cohort is refused before any job, and
# runs of other cohorts go on side by side. Taken only when jobs are about to run (not for a dry run), and
# held (the file kept open) until this process ends.
HELD_LOCKS = []


onstart:
    try:
        HELD_LOCKS.append(hold_cohort_lock(f"results/{config['cohort']}", " ".join(sys.argv)))
    except OncomixInputError as error:
        sys.exit(f"{error}\nNo job was run.")


include: "workflow/rules/common.smk"
include: "workflow/rules/demo.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/preprocess.smk"
include: "workflow/rules/integrate.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/baselines.smk"
include: "workflow/rules/markers.smk"
include: "workflow/rules/survival.smk"
include: "workflow/rules/clinical.smk"
include: "workflow/rules/report.smk"


if "classify" in config:

    include: "workflow/rules/classify.smk"


rule all:
    default_target: True
    input:
        f"{OUT}/report.html",
        f"{OUT}/clinical/table_one.tsv",
        f"{OUT}/classifier/manifest.json",
        survival_outputs(),
        drug_outputs(),
        enrichment_outputs(),
