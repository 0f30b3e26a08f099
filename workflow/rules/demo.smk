rule simulate_demo:
    """The demo cohort (config/config.yaml reads it): simulated tumours with their truth, as
    `python -m oncomix simulate --out resources/demo` writes it. Run only when a config names these files and they
    are missing."""
    output:
        DEMO_FILES,
    log:
        f"{LOGS}/simulate_demo.log",
    conda:
        ENVS["ingest"]
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/simulate_demo.py"
