"""The scorecard pack after each publication: the latest month (HTML + Excel) of each LA the run
published or held back, and the regional view, under <warehouse dir>/reports/ (pipeline/report/)."""

import dagster as dg

from pipeline.defs.assets.publish import published_warehouse
from pipeline.progress import progress
from pipeline.defs.resources import RefreshSettings


@dg.asset(
    group_name="report",
    kinds={"html", "excel"},
    deps=[published_warehouse],
    description="Monthly scorecard per LA (an HTML page and an Excel workbook) and the regional view across LAs "
                "from the shareable tables, for each LA's latest published month: rewritten for the LAs the run "
                "published or held back (and any whose report is missing). The pages share one chart script, "
                "assets/vega-bundle.<hash>.js, in the pack's folder.",
)
def scorecard_report(context: dg.AssetExecutionContext, settings: RefreshSettings) -> dg.MaterializeResult:
    # imported here: the charting libraries need not load with the code location
    from pipeline.report import reports_dir_for, write_run_reports

    out_dir = reports_dir_for(settings.warehouse)
    files = write_run_reports(settings.warehouse, out_dir, context.run.run_id)
    for f in files:
        progress("report", f"{f.name} {f.month}: {f.html.name}, {f.xlsx.name}")
    return dg.MaterializeResult(metadata={
        "reports_dir": dg.MetadataValue.path(str(out_dir)),
        "files": [str(p) for f in files for p in (f.html, f.xlsx)],
        "las": [f.name for f in files if f.name != "regional"],
    })
