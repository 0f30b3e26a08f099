# oncomix: multi-omics tumour subtypes and biomarkers per subtype.
# Run:  snakemake --cores 2 --configfile config/config.yaml   (see README.md)
from snakemake.utils import min_version, validate

min_version("9.0")


# The demo config is the default. It is not loaded when --configfile is given: Snakemake would otherwise
# merge the two, and the demo's views would leak into another cohort.
if not config:

    configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/preprocess.smk"
include: "workflow/rules/integrate.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/markers.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        f"{OUT}/report.html",
    default_target: True
