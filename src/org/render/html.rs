//! `--format html`: the dashboard the readiness meeting puts on the screen. One
//! self-contained file: inline CSS, inline SVG, a small inline script for filtering and
//! sorting the heat map (the page is complete without it), and a Content-Security-Policy
//! that forbids every fetch, so the page works offline, from a CI artifact or from GitHub
//! Pages, and cannot call anywhere even if something slipped through escaping.
//!
//! In page order: the header (counts, policy, settings); the heat map of services ×
//! activities grouped by team (level vs target per cell, the blocking criteria in the
//! cell's tooltip); with a history, what changed since the previous scan and the trend of
//! every activity; the team roll-ups; the distribution of levels per activity; the
//! blockers ranked by how many repositories they hold back, each linking to its
//! explanation further down the page (why it matters and how to fix it, from the
//! per-repository reports, and the repositories it holds back); the repositories that
//! could not be rated.
//!
//! Everything that comes from scanned repositories (service and team names, paths,
//! messages) goes through [`esc`]. The output is a pure function of the report and the
//! history context: no clock, no randomness, no map iteration order.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::org::changes::{ActivityTrend, BlockerChange, HistoryContext, LevelChange};
use crate::org::{OrgReport, OrgRepository, RepositoryError};
use crate::report::{ActivityReport, CriterionReport, Report};

/// Rows shown per list of the "since the previous scan" panel; `opready org diff` has
/// them all.
pub const MAX_CHANGE_ROWS: usize = 200;

/// The filtering and sorting of the heat map. The page is complete without it: the
/// controls it drives are `hidden` until it runs.
const SCRIPT: &str = r#"(function () {
  "use strict";
  var controls = document.getElementById("controls");
  var table = document.getElementById("heat");
  if (!controls || !table) return;
  var query = document.getElementById("filter");
  var below = document.getElementById("only-below");
  var order = document.getElementById("order");
  var shown = document.getElementById("shown");
  var groups = Array.prototype.slice.call(table.tBodies);
  function rows(group) {
    return Array.prototype.filter.call(group.rows, function (r) { return r.hasAttribute("data-i"); });
  }
  var total = 0;
  groups.forEach(function (g) { total += rows(g).length; });
  function num(row, name) { return Number(row.getAttribute(name)); }
  function apply() {
    var text = query.value.trim().toLowerCase();
    var byBelow = order.value === "below";
    var count = 0;
    groups.forEach(function (group) {
      var list = rows(group);
      list.sort(function (a, b) {
        return (byBelow ? num(b, "data-b") - num(a, "data-b") : 0) || num(a, "data-i") - num(b, "data-i");
      });
      var team = (group.getAttribute("data-team") || "").toLowerCase();
      var visible = 0;
      list.forEach(function (row) {
        group.appendChild(row);
        var name = row.cells[0].textContent.toLowerCase() + " " + team;
        var match = (!text || name.indexOf(text) >= 0) && (!below.checked || num(row, "data-b") > 0);
        row.hidden = !match;
        if (match) visible++;
      });
      group.hidden = visible === 0;
      count += visible;
    });
    shown.textContent = count + " of " + total + " shown";
  }
  query.addEventListener("input", apply);
  below.addEventListener("change", apply);
  order.addEventListener("change", apply);
  controls.hidden = false;
  document.documentElement.setAttribute("data-js", "on");
  apply();
})();"#;

/// `sha256-` of [`SCRIPT`], base64: the Content-Security-Policy allows this script and no
/// other. Change it with the script (`tests/org_html.rs` recomputes it, and the browser
/// test fails when the script is blocked).
const SCRIPT_SHA256: &str = "sha256-xeOa/MvTHqGIypvfsvo9loCRQoStF87c2NH0tD3bptY=";

const STYLE: &str = r#"
:root{--ink:#1f2933;--muted:#5c6977;--line:#d8dde3;--bg:#f7f7f5;--panel:#fff;--head:#eceff2;--warn:#b3441e;--ok:#2f6e5c}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;padding:20px 28px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--bg)}
a{color:#1d5f8a}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f4;padding:0 3px;border-radius:3px}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:34px 0 6px;padding-top:12px;border-top:1px solid var(--line)}
h3{font-size:15px;margin:0 0 4px}
p{margin:4px 0 8px}
.sub,.note{color:var(--muted)}
.note{font-size:12.5px;max-width:80em}
.note.rules{color:var(--warn)}
header{display:flex;flex-wrap:wrap;align-items:flex-end;justify-content:space-between;gap:12px 32px;margin-bottom:14px}
.stats{display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0;list-style:none}
.stats li{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:4px 14px;min-width:104px}
.stats b{display:block;font-size:22px;line-height:1.2;font-variant-numeric:tabular-nums}
.stats span{font-size:12px;color:var(--muted)}
.stats .bad b{color:var(--warn)}
.stats .good b{color:var(--ok)}
.since{margin:0 0 12px;padding:6px 12px;background:var(--panel);border:1px solid var(--line);border-left:4px solid #7b98b3;border-radius:4px}
nav{font-size:13px;margin:0 0 10px}
nav a{margin-right:14px}
table{border-collapse:collapse;background:var(--panel)}
th,td{border:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:middle}
thead th{background:var(--head);font-size:12px;font-weight:600;vertical-align:bottom}
caption{text-align:left;color:var(--muted);font-size:12.5px;padding:0 0 6px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;font-size:12.5px;margin:2px 0 8px;padding:0;list-style:none}
.legend li{display:flex;align-items:center;gap:5px}
.sw{display:inline-block;min-width:30px;padding:0 5px;text-align:center;border:1px solid var(--line);border-radius:3px;font-weight:600}
#controls{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;font-size:13px;margin:0 0 8px}
#controls[hidden]{display:none}
#controls input[type=search]{width:18em;padding:3px 6px;font:inherit}
.heat{width:100%}
.heat thead th{position:sticky;top:0;z-index:1;text-align:center;min-width:60px;max-width:120px}
.heat thead th:first-child{text-align:left;min-width:200px;max-width:none}
.heat tbody th{font-weight:600;max-width:300px;overflow-wrap:anywhere}
.heat tbody th small{display:block;font-weight:400;color:var(--muted);font-size:11.5px}
.heat tr.team th{background:#e3e8ed;font-size:13px;white-space:normal}
.heat tr.team span{font-weight:400;color:var(--muted);margin-left:10px;font-size:12px}
.heat td{text-align:center;font-variant-numeric:tabular-nums;font-size:15px;padding:2px 4px}
.heat td.tier{font-size:13px;color:var(--muted)}
.heat td.ok{color:var(--ok);font-size:13px;white-space:nowrap}
.heat td.st{font-size:13px;font-weight:600;color:var(--warn);white-space:nowrap}
.heat td.err{text-align:left;font-size:12.5px;color:var(--warn)}
td.below{box-shadow:inset 4px 0 0 var(--warn);color:#7a2a0e;font-weight:700}
td.below::before{content:"\25BC\00A0";font-size:10px;vertical-align:1px}
td.na,.sw.na,.bar .na{color:#6b7684;font-size:12px;background:repeating-linear-gradient(135deg,#f3f4f6 0 5px,#e9ecef 5px 10px)}
.t{color:var(--muted);font-weight:400;font-size:11px}
.bar{display:flex;height:18px;width:360px;border:1px solid #c9d0d8;border-radius:3px;overflow:hidden;background:#fff}
.bar span{display:block;height:100%;box-shadow:inset -1px 0 0 #fff}
td.held{white-space:nowrap}
.hold{display:inline-block;height:10px;background:#7b98b3;border-radius:2px;vertical-align:middle;margin-right:6px}
.roll{width:100%}
.roll td{text-align:center;font-variant-numeric:tabular-nums;white-space:nowrap}
.roll td.n{text-align:right}
.roll th[scope=row]{max-width:220px;overflow-wrap:anywhere}
.roll td b{font-size:15px}
.roll .rng{color:var(--muted);font-size:11px}
.roll small.bt{display:block;color:var(--warn);font-weight:600;font-size:11.5px}
.up{color:var(--ok);font-weight:600}
.down{color:var(--warn);font-weight:600}
.cols{margin-top:14px;display:flex;flex-wrap:wrap;gap:12px 28px;align-items:flex-start}
.cols>div{min-width:260px}
ul.plain{margin:4px 0;padding-left:18px}
svg.spark{vertical-align:middle}
svg.spark polyline{fill:none;stroke:#4f7fa6;stroke-width:1.6}
svg.spark circle{fill:#4f7fa6}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:10px;align-items:start}
article{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
article:target{border-color:#4f7fa6;box-shadow:0 0 0 2px #b9cde0}
article .meta{color:var(--muted);font-size:12.5px;margin:0 0 6px}
article h4{margin:8px 0 2px;font-size:13px}
article .repos{font-size:12px;color:var(--muted);word-break:break-word}
details summary{cursor:pointer;font-size:12.5px}
pre.msg{margin:0;white-space:pre-wrap;font:12px/1.35 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
footer{margin-top:30px;color:var(--muted);font-size:12px}
@page{size:A4 landscape;margin:10mm}
@media print{
  body{padding:0;background:#fff;font-size:9pt}
  .heat td,.heat th{padding:1px 3px}
  .heat td{font-size:11px}
  .heat thead th{min-width:0;font-size:10px}
  .heat tbody th{max-width:170px;font-size:11px}
  .heat tbody th small,.t{font-size:9px}
  .heat td.ok,.heat td.st,.heat td.tier{font-size:10px}
  .stats li{padding:2px 8px}
  td.na,.sw.na,.bar .na{background:#eef0f2}
  td.below{box-shadow:none;border-left:3px solid var(--warn)}
  article:target{box-shadow:none}
  nav,#controls{display:none!important}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .heat thead th{position:static}
  thead{display:table-header-group}
  tr,article{break-inside:avoid}
  h2{break-after:avoid}
  a{color:inherit;text-decoration:none}
}
"#;

/// Renders the dashboard; `history` adds the changes since the previous scan and the trend
/// of every activity.
pub fn render(report: &OrgReport, history: Option<&HistoryContext>) -> String {
    let page = Page::new(report, history);
    let mut out = String::with_capacity(64 * 1024 + report.repositories.len() * 2048);
    page.head(&mut out);
    page.header(&mut out);
    page.heat_map(&mut out);
    if let Some(history) = history {
        page.changes(&mut out, history);
        page.trends(&mut out, &history.trends);
    }
    page.teams(&mut out);
    page.distribution(&mut out);
    page.blockers(&mut out);
    page.explanations(&mut out);
    page.errors(&mut out);
    page.footer(&mut out);
    out
}

/// What the sections share: the report, activity titles, the explanation of every
/// criterion the page names.
struct Page<'a> {
    report: &'a OrgReport,
    history: Option<&'a HistoryContext>,
    titles: BTreeMap<&'a str, &'a str>,
    /// Criterion id → its report (why, fix, level, owner) and activity, for every
    /// criterion the page links to that some repository's report describes.
    explained: BTreeMap<&'a str, (&'a ActivityReport, &'a CriterionReport)>,
    max_level: u8,
}

impl<'a> Page<'a> {
    fn new(report: &'a OrgReport, history: Option<&'a HistoryContext>) -> Self {
        let titles = report
            .policy
            .activities
            .iter()
            .map(|a| (a.id.as_str(), a.title.as_str()))
            .collect();
        let mut wanted: BTreeSet<&str> = report
            .aggregate
            .blockers
            .iter()
            .map(|b| b.criterion.as_str())
            .collect();
        if let Some(h) = history {
            for b in h
                .changes
                .new_blockers
                .iter()
                .chain(&h.changes.fixed_blockers)
            {
                wanted.insert(b.criterion.as_str());
            }
        }
        let mut explained = BTreeMap::new();
        // Repositories in path order: the first report describing a criterion explains it
        // (every report of one scan carries the same pack's texts).
        'repos: for repo in &report.repositories {
            let Some(rep) = repo.report() else { continue };
            for activity in &rep.activities {
                for criterion in &activity.criteria {
                    if wanted.remove(criterion.id.as_str()) {
                        explained.insert(criterion.id.as_str(), (activity, criterion));
                    }
                }
            }
            if wanted.is_empty() {
                break 'repos;
            }
        }
        let max_level = u8::try_from(report.policy.levels.len())
            .unwrap_or(u8::MAX)
            .max(1);
        Page {
            report,
            history,
            titles,
            explained,
            max_level,
        }
    }

    fn title(&self, activity: &'a str) -> &'a str {
        self.titles.get(activity).copied().unwrap_or(activity)
    }

    fn level_name(&self, level: u8) -> &str {
        usize::from(level)
            .checked_sub(1)
            .and_then(|i| self.report.policy.levels.get(i))
            .map_or("", String::as_str)
    }

    /// A link to a criterion's explanation when the page has one, else its id as code.
    fn criterion_link(&self, id: &str, text: &str) -> String {
        if self.explained.contains_key(id) {
            format!(
                "<a href=\"#{}\"><code>{}</code></a>{}",
                anchor(id),
                esc(id),
                if text.is_empty() {
                    String::new()
                } else {
                    format!(" {}", esc(text))
                }
            )
        } else {
            format!(
                "<code>{}</code>{}",
                esc(id),
                if text.is_empty() {
                    String::new()
                } else {
                    format!(" {}", esc(text))
                }
            )
        }
    }

    fn head(&self, out: &mut String) {
        let r = self.report;
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; script-src '{SCRIPT_SHA256}'; base-uri 'none'; \
             form-action 'none'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"{} {}\">\n\
             <title>Operational readiness · {} repositories · {}</title>\n<style>{STYLE}",
            esc(&r.tool.name),
            esc(&r.tool.version),
            r.aggregate.repositories,
            esc(&r.policy.name),
        );
        for level in 1..=self.max_level {
            let _ = writeln!(
                out,
                ".l{level}{{background:{}}}.bar .l{level}{{background:{}}}",
                level_colour(level, self.max_level),
                bar_colour(level, self.max_level)
            );
        }
        out.push_str("</style>\n</head>\n<body>\n");
    }

    fn header(&self, out: &mut String) {
        let r = self.report;
        let agg = &r.aggregate;
        out.push_str("<header>\n<div>\n<h1>Operational readiness</h1>\n<p class=\"sub\">");
        let _ = write!(
            out,
            "Policy <b>{}</b> ({}, digest <code>{}</code>) · {} {}",
            esc(&r.policy.name),
            esc(&r.policy.origin),
            esc(&r.policy.digest),
            esc(&r.tool.name),
            esc(&r.tool.version)
        );
        if let Some(shard) = r.shard {
            let _ = write!(
                out,
                " · <b>shard {shard}</b>: part of the organisation only"
            );
        }
        if let Some(tier) = &r.settings.tier {
            let _ = write!(out, " · every repository rated as tier {}", esc(tier));
        }
        if !r.settings.require.is_empty() {
            let required: Vec<String> = r
                .settings
                .require
                .iter()
                .map(|(a, l)| format!("<code>{}={l}</code>", esc(a)))
                .collect();
            let _ = write!(out, " · required: {}", required.join(" "));
        }
        out.push_str("</p>\n</div>\n<ul class=\"stats\">\n");
        let stat = |out: &mut String, class: &str, n: u32, label: &str, href: Option<&str>| {
            let label = match href {
                Some(href) => format!("<a href=\"{href}\">{label}</a>"),
                None => label.to_string(),
            };
            let _ = writeln!(
                out,
                "<li class=\"{class}\"><b>{n}</b><span>{label}</span></li>"
            );
        };
        stat(out, "", agg.repositories, "repositories", None);
        stat(out, "", agg.rated, "rated", None);
        stat(out, "good", agg.met, "meet every target", None);
        stat(
            out,
            if agg.below_target > 0 { "bad" } else { "" },
            agg.below_target,
            "below target",
            None,
        );
        stat(
            out,
            if agg.errors > 0 { "bad" } else { "" },
            agg.errors,
            "could not be rated",
            (agg.errors > 0).then_some("#errors"),
        );
        out.push_str("</ul>\n</header>\n");
        if let Some(h) = self.history {
            let c = &h.changes;
            out.push_str("<p class=\"since\">");
            match &c.previous {
                Some(prev) => {
                    let (up, down) = directions(&c.levels);
                    let _ = write!(
                        out,
                        "Since scan #{} ({}): <span class=\"up\">▲ {up} up</span> · \
                         <span class=\"down\">▼ {down} down</span> · {} new {} · {} fixed · \
                         {} {} added, {} removed. <a href=\"#changes\">What changed</a>",
                        prev.id,
                        esc(&prev.recorded_at),
                        c.new_blockers.len(),
                        plural(c.new_blockers.len(), "blocker", "blockers"),
                        c.fixed_blockers.len(),
                        c.added.len(),
                        plural(c.added.len(), "repository", "repositories"),
                        c.removed.len()
                    );
                }
                None => out.push_str(
                    "First recorded scan: the changes since the previous scan show from the next one.",
                ),
            }
            out.push_str("</p>\n");
        }
        out.push_str("<nav><a href=\"#heatmap\">Heat map</a>");
        if self.history.is_some() {
            out.push_str(
                "<a href=\"#changes\">Since the previous scan</a><a href=\"#trends\">Trends</a>",
            );
        }
        out.push_str(
            "<a href=\"#teams\">Teams</a><a href=\"#levels\">Levels per activity</a>\
             <a href=\"#blockers\">Blockers</a><a href=\"#explanations\">Explanations</a>",
        );
        if agg.errors > 0 {
            out.push_str("<a href=\"#errors\">Not rated</a>");
        }
        out.push_str("</nav>\n");
    }

    fn legend(&self, out: &mut String) {
        out.push_str("<ul class=\"legend\" aria-label=\"Legend\">");
        for level in 1..=self.max_level {
            let _ = write!(
                out,
                "<li><span class=\"sw l{level}\">{level}</span>{}</li>",
                esc(self.level_name(level))
            );
        }
        out.push_str(
            "<li><span class=\"sw na\">n/a</span>not applicable</li>\
             <li><span class=\"sw\">2<span class=\"t\">/3</span></span>level 2, target 3</li>\
             <li><span class=\"sw\" style=\"box-shadow:inset 4px 0 0 var(--warn);color:#7a2a0e\">▼ 1<span class=\"t\">/2</span></span>below target</li>\
             <li>Hover a cell for the criteria blocking its next level.</li></ul>\n",
        );
    }

    fn heat_map(&self, out: &mut String) {
        let r = self.report;
        let activities = &r.policy.activities;
        out.push_str("<main>\n<section id=\"heatmap\">\n<h2>Services × activities</h2>\n");
        self.legend(out);
        out.push_str(
            "<div id=\"controls\" hidden><label>Filter <input type=\"search\" id=\"filter\" \
             placeholder=\"service, path or team\"></label>\
             <label><input type=\"checkbox\" id=\"only-below\"> only below target or not rated</label>\
             <label>Order within a team <select id=\"order\"><option value=\"name\">by service</option>\
             <option value=\"below\">most below target first</option></select></label>\
             <span id=\"shown\" class=\"sub\"></span></div>\n",
        );
        let _ = write!(
            out,
            "<table class=\"heat\" id=\"heat\">\n<caption>Level reached per repository and \
             activity, grouped by team (owner from <code>.opready.yaml</code>, \
             <code>catalog-info.yaml</code> or CODEOWNERS).</caption>\n<thead><tr>\
             <th scope=\"col\">Service</th><th scope=\"col\">Tier</th>"
        );
        for a in activities {
            let _ = write!(
                out,
                "<th scope=\"col\" title=\"{}\">{}</th>",
                esc(&a.id),
                esc(&a.title)
            );
        }
        out.push_str("<th scope=\"col\">Targets</th></tr></thead>\n");
        let columns = activities.len() + 3;

        // Named teams in name order, then repositories with no declared owner.
        let mut teams: BTreeMap<(bool, &str), Vec<(&OrgRepository, &Report)>> = BTreeMap::new();
        for repo in &r.repositories {
            if let Some(rep) = repo.report() {
                let key = match repo.team.as_deref() {
                    Some(team) => (false, team),
                    None => (true, ""),
                };
                teams.entry(key).or_default().push((repo, rep));
            }
        }
        let mut index = 0usize;
        for ((unowned, team), mut members) in teams {
            members.sort_by(|a, b| {
                let name = |r: &OrgRepository| r.service.clone().unwrap_or_default().to_lowercase();
                name(a.0).cmp(&name(b.0)).then(a.0.path.cmp(&b.0.path))
            });
            let below = members.iter().filter(|(repo, _)| !repo.met).count();
            let team_name = if unowned { "no owner declared" } else { team };
            let _ = writeln!(
                out,
                "<tbody data-team=\"{}\"><tr class=\"team\"><th scope=\"rowgroup\" colspan=\"{columns}\">{}\
                 <span>{} {} · {} below target</span></th></tr>",
                esc(team_name),
                esc(team_name),
                members.len(),
                plural(members.len(), "repository", "repositories"),
                below
            );
            for (repo, rep) in members {
                self.heat_row(out, repo, rep, index);
                index += 1;
            }
            out.push_str("</tbody>\n");
        }
        let errors: Vec<(&OrgRepository, &RepositoryError)> = r
            .repositories
            .iter()
            .filter_map(|repo| repo.error().map(|e| (repo, e)))
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(
                out,
                "<tbody data-team=\"\"><tr class=\"team\"><th scope=\"rowgroup\" colspan=\"{columns}\">\
                 Could not be rated<span>{} {}</span></th></tr>",
                errors.len(),
                plural(errors.len(), "repository", "repositories")
            );
            for (repo, error) in errors {
                let first = error.message.lines().next().unwrap_or("");
                let _ = writeln!(
                    out,
                    "<tr data-i=\"{index}\" data-b=\"1\"><th scope=\"row\">{}</th>\
                     <td colspan=\"{}\" class=\"err\">{}: {} <a href=\"#errors\">details</a></td></tr>",
                    esc(&repo.path),
                    columns - 1,
                    error_kind(error),
                    esc(first)
                );
                index += 1;
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table>\n</section>\n");
    }

    fn heat_row(&self, out: &mut String, repo: &OrgRepository, rep: &Report, index: usize) {
        let below = rep.activities.iter().filter(|a| !a.met).count();
        let service = repo.service.as_deref().unwrap_or(&repo.path);
        let _ = write!(
            out,
            "<tr data-i=\"{index}\" data-b=\"{below}\"><th scope=\"row\">{}",
            esc(service)
        );
        if service != repo.path {
            let _ = write!(out, "<small>{}</small>", esc(&repo.path));
        }
        let _ = write!(
            out,
            "</th><td class=\"tier\">{}</td>",
            repo.tier.as_deref().map_or_else(|| "–".to_string(), esc)
        );
        for info in &self.report.policy.activities {
            match rep.activity(&info.id) {
                None => out.push_str("<td class=\"na\" title=\"not rated\">–</td>"),
                Some(a) => self.heat_cell(out, service, &info.title, a),
            }
        }
        if below == 0 {
            out.push_str("<td class=\"ok\">✓ met</td></tr>\n");
        } else {
            let _ = writeln!(out, "<td class=\"st\">{below} below</td></tr>");
        }
    }

    fn heat_cell(&self, out: &mut String, service: &str, title: &str, a: &ActivityReport) {
        let Some(level) = a.level else {
            let _ = write!(
                out,
                "<td class=\"na\" title=\"{} · {}: not applicable\">n/a</td>",
                esc(service),
                esc(title)
            );
            return;
        };
        let mut tip = format!(
            "{} · {}: level {level} {}",
            service,
            title,
            self.level_name(level)
        );
        match a.target {
            Some(t) if !a.met => tip.push_str(&format!(", target {t}: BELOW TARGET")),
            Some(t) => tip.push_str(&format!(", target {t}")),
            None => {}
        }
        if !a.blockers.is_empty() {
            let next = a
                .next_level
                .map_or_else(String::new, |n| format!(" level {n}"));
            tip.push_str(&format!("\nblocking{next}: {}", a.blockers.join(", ")));
        }
        let below = if a.met { "" } else { " below" };
        let _ = write!(
            out,
            "<td class=\"l{}{below}\" title=\"{}\">{level}",
            level.min(self.max_level),
            esc(&tip)
        );
        if let Some(t) = a.target {
            let _ = write!(out, "<span class=\"t\">/{t}</span>");
        }
        out.push_str("</td>");
    }

    fn changes(&self, out: &mut String, history: &HistoryContext) {
        let c = &history.changes;
        out.push_str("<section id=\"changes\">\n<h2>Since the previous scan</h2>\n");
        let Some(prev) = &c.previous else {
            out.push_str(
                "<p class=\"note\">This is the first recorded scan: there is nothing to compare \
                 with yet. The next scan recorded in the same history shows what moved.</p>\n</section>\n",
            );
            return;
        };
        let current = c.current.as_ref().map_or_else(
            || "this scan".to_string(),
            |s| format!("scan #{} ({})", s.id, esc(&s.recorded_at)),
        );
        let _ = writeln!(
            out,
            "<p class=\"note\">From scan #{} ({}) to {current}.</p>",
            prev.id,
            esc(&prev.recorded_at)
        );
        if let Some(rules) = &c.rules_changed {
            let _ = writeln!(
                out,
                "<p class=\"note rules\"><strong>⚠</strong> {}</p>",
                esc(&rules.sentence())
            );
        }
        let (up, down) = directions(&c.levels);
        out.push_str("<ul class=\"stats\">");
        for (class, n, label) in [
            ("good", up, "activity levels up"),
            ("bad", down, "activity levels down"),
            ("bad", c.new_blockers.len(), "new blockers"),
            ("good", c.fixed_blockers.len(), "fixed blockers"),
            ("good", c.newly_met.len(), "now meet every target"),
            ("bad", c.newly_below_target.len(), "fell below target"),
            ("", c.added.len(), "repositories added"),
            ("", c.removed.len(), "repositories removed"),
        ] {
            let class = if n == 0 { "" } else { class };
            let _ = write!(
                out,
                "<li class=\"{class}\"><b>{n}</b><span>{label}</span></li>"
            );
        }
        out.push_str("</ul>\n");

        if !c.teams.is_empty() {
            out.push_str(
                "<h3 style=\"margin-top:14px\">Per team</h3>\n<table>\n<thead><tr>\
                 <th scope=\"col\">Team</th><th scope=\"col\" class=\"n\">▲ up</th>\
                 <th scope=\"col\" class=\"n\">▼ down</th><th scope=\"col\" class=\"n\">new blockers</th>\
                 <th scope=\"col\" class=\"n\">fixed blockers</th></tr></thead>\n<tbody>\n",
            );
            for t in &c.teams {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"n up\">{}</td><td class=\"n down\">{}</td>\
                     <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    team_label(t.team.as_deref()),
                    t.up,
                    t.down,
                    t.new_blockers,
                    t.fixed_blockers
                );
            }
            out.push_str("</tbody>\n</table>\n");
        }

        if !c.levels.is_empty() {
            self.level_changes(out, &c.levels);
        }
        out.push_str("<div class=\"cols\">\n");
        self.blocker_changes(out, "New blockers", &c.new_blockers);
        self.blocker_changes(out, "Fixed blockers", &c.fixed_blockers);
        out.push_str("</div>\n<div class=\"cols\">\n");
        for (title, list) in [
            ("Fell below target", &c.newly_below_target),
            ("Now meet every target", &c.newly_met),
            ("Repositories added", &c.added),
            ("Repositories removed", &c.removed),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = write!(out, "<div><h3>{title}</h3><ul class=\"plain\">");
            for path in list.iter().take(MAX_CHANGE_ROWS) {
                let _ = write!(out, "<li>{}</li>", esc(path));
            }
            more(out, list.len(), "</ul>");
            out.push_str("</div>\n");
        }
        out.push_str("</div>\n</section>\n");
    }

    /// One row per repository whose levels moved: levels down first.
    fn level_changes(&self, out: &mut String, levels: &[LevelChange]) {
        let mut by_repo: BTreeMap<&str, Vec<&LevelChange>> = BTreeMap::new();
        for change in levels {
            by_repo.entry(&change.repository).or_default().push(change);
        }
        let mut rows: Vec<(&str, Vec<&LevelChange>)> = by_repo.into_iter().collect();
        rows.sort_by_key(|(_, changes)| !changes.iter().any(|c| c.direction() < 0));
        out.push_str(
            "<h3 style=\"margin-top:14px\">Levels that moved</h3>\n<table>\n<thead><tr>\
             <th scope=\"col\">Service</th><th scope=\"col\">Team</th>\
             <th scope=\"col\">Activity: before → now (target)</th></tr></thead>\n<tbody>\n",
        );
        for (repo, changes) in rows.iter().take(MAX_CHANGE_ROWS) {
            let first = changes.first();
            let service = first.and_then(|c| c.service.as_deref()).unwrap_or(repo);
            let team = first.and_then(|c| c.team.as_deref());
            let _ = write!(out, "<tr><th scope=\"row\">{}", esc(service));
            if service != *repo {
                let _ = write!(out, " <span class=\"t\">{}</span>", esc(repo));
            }
            let _ = write!(out, "</th><td>{}</td><td>", team_label(team));
            let moves: Vec<String> = changes
                .iter()
                .map(|c| {
                    let (class, mark) = match c.direction() {
                        1 => ("up", "▲"),
                        -1 => ("down", "▼"),
                        _ => ("", "•"),
                    };
                    let level = |l: Option<u8>| l.map_or("n/a".to_string(), |l| l.to_string());
                    let target = match (c.target_before, c.target_after) {
                        (b, a) if b == a => a.map_or(String::new(), |t| format!(" (target {t})")),
                        (b, a) => format!(
                            " (target {} → {})",
                            b.map_or("none".to_string(), |t| t.to_string()),
                            a.map_or("none".to_string(), |t| t.to_string())
                        ),
                    };
                    format!(
                        "<span class=\"{class}\">{mark}</span> {} {} → {}{target}",
                        esc(self.title(&c.activity)),
                        level(c.before),
                        level(c.after)
                    )
                })
                .collect();
            out.push_str(&moves.join("; "));
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
        more(out, rows.len(), "");
    }

    fn blocker_changes(&self, out: &mut String, title: &str, list: &[BlockerChange]) {
        if list.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "<div><h3>{title}</h3>\n<table>\n<thead><tr><th scope=\"col\">Repository</th>\
             <th scope=\"col\">Criterion</th><th scope=\"col\">Activity</th>\
             <th scope=\"col\" class=\"n\">Level</th></tr></thead>\n<tbody>\n"
        );
        for b in list.iter().take(MAX_CHANGE_ROWS) {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&b.repository),
                self.criterion_link(&b.criterion, &b.title),
                esc(self.title(&b.activity)),
                b.level
            );
        }
        out.push_str("</tbody>\n</table>\n");
        more(out, list.len(), "");
        out.push_str("</div>\n");
    }

    fn trends(&self, out: &mut String, trends: &[ActivityTrend]) {
        out.push_str("<section id=\"trends\">\n<h2>Trend per activity</h2>\n");
        let scans = trends.iter().map(|t| t.points.len()).max().unwrap_or(0);
        if scans == 0 {
            out.push_str("<p class=\"note\">No recorded scans yet.</p>\n</section>\n");
            return;
        }
        let _ = writeln!(
            out,
            "<p class=\"note\">Mean level over the repositories where the activity applies, \
             across the last {scans} recorded {}, oldest first; and how many repositories \
             with a target meet it.</p>",
            plural(scans, "scan", "scans")
        );
        out.push_str(
            "<table>\n<thead><tr><th scope=\"col\">Activity</th><th scope=\"col\">Mean level</th>\
             <th scope=\"col\" class=\"n\">First</th><th scope=\"col\" class=\"n\">Now</th>\
             <th scope=\"col\" class=\"n\">Change</th><th scope=\"col\" class=\"n\">Meeting target now</th>\
             </tr></thead>\n<tbody>\n",
        );
        for trend in trends {
            let first = trend.points.first();
            let last = trend.points.last();
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td>",
                esc(&trend.title),
                sparkline(trend, self.max_level)
            );
            match (first, last) {
                (Some(first), Some(last)) => {
                    let delta = last.mean_level - first.mean_level;
                    let class = if delta > 0.005 {
                        "up"
                    } else if delta < -0.005 {
                        "down"
                    } else {
                        ""
                    };
                    let _ = write!(
                        out,
                        "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n {class}\">{}</td>\
                         <td class=\"n\">{} of {}</td>",
                        mean(first.mean_level),
                        mean(last.mean_level),
                        signed(delta),
                        last.met,
                        last.with_target
                    );
                }
                _ => out.push_str("<td class=\"n\">–</td><td class=\"n\">–</td><td class=\"n\">–</td><td class=\"n\">–</td>"),
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    fn teams(&self, out: &mut String) {
        let agg = &self.report.aggregate;
        out.push_str("<section id=\"teams\">\n<h2>Teams</h2>\n");
        if agg.teams.is_empty() {
            out.push_str("<p>No rated repositories.</p>\n</section>\n");
            return;
        }
        out.push_str(
            "<p class=\"note\">Per activity: the median level over the team's repositories where \
             it applies (lower median, a level that exists), then the lowest–highest level; \
             ▼ counts the team's repositories below target in the activity.</p>\n<table class=\"roll\">\n<thead><tr>\
             <th scope=\"col\">Team</th><th scope=\"col\" class=\"n\">Repositories</th>\
             <th scope=\"col\" class=\"n\">Meet targets</th><th scope=\"col\" class=\"n\">Below target</th>",
        );
        for a in &self.report.policy.activities {
            let _ = write!(out, "<th scope=\"col\">{}</th>", esc(&a.title));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        // Named teams first, as in the heat map.
        let ordered = agg
            .teams
            .iter()
            .filter(|t| t.team.is_some())
            .chain(agg.teams.iter().filter(|t| t.team.is_none()));
        for t in ordered {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                team_label(t.team.as_deref()),
                t.repositories,
                t.met,
                t.below_target
            );
            for a in &t.activities {
                let bt = if a.below_target > 0 {
                    format!("<small class=\"bt\">▼{}</small>", a.below_target)
                } else {
                    String::new()
                };
                match (a.min, a.median, a.max) {
                    (Some(min), Some(median), Some(max)) => {
                        let _ = write!(
                            out,
                            "<td class=\"l{}{}\" title=\"{}: min {min}, median {median}, max {max} over {} {}; {} below target\">\
                             <b>{median}</b> <span class=\"rng\">{min}–{max}</span>{bt}</td>",
                            median.min(self.max_level),
                            if a.below_target > 0 {
                                " below-some"
                            } else {
                                ""
                            },
                            esc(self.title(&a.id)),
                            a.applicable,
                            plural(a.applicable as usize, "repository", "repositories"),
                            a.below_target
                        );
                    }
                    _ => {
                        let _ = write!(out, "<td class=\"na\">n/a{bt}</td>");
                    }
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    fn distribution(&self, out: &mut String) {
        let agg = &self.report.aggregate;
        out.push_str("<section id=\"levels\">\n<h2>Levels per activity</h2>\n");
        let _ = writeln!(
            out,
            "<p class=\"note\">How the {} rated repositories spread over the levels.</p>",
            agg.rated
        );
        out.push_str("<table>\n<thead><tr><th scope=\"col\">Activity</th><th scope=\"col\">Distribution</th>");
        for level in 1..=self.max_level {
            let _ = write!(
                out,
                "<th scope=\"col\" class=\"n\"><span class=\"sw l{level}\">{level}</span> {}</th>",
                esc(self.level_name(level))
            );
        }
        out.push_str(
            "<th scope=\"col\" class=\"n\">n/a</th><th scope=\"col\" class=\"n\">Meet target</th>\
             <th scope=\"col\" class=\"n\">Below target</th></tr></thead>\n<tbody>\n",
        );
        for a in &agg.activities {
            let total: u32 = a.levels.iter().map(|l| l.count).sum::<u32>() + a.not_applicable;
            let mut label: Vec<String> = a
                .levels
                .iter()
                .map(|l| format!("{} at level {}", l.count, l.level))
                .collect();
            label.push(format!("{} not applicable", a.not_applicable));
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th><td><div class=\"bar\" role=\"img\" aria-label=\"{}\">",
                esc(&a.title),
                esc(&label.join(", "))
            );
            for l in &a.levels {
                if l.count > 0 {
                    let _ = write!(
                        out,
                        "<span class=\"l{}\" style=\"width:{}\" title=\"level {} {}: {}\"></span>",
                        l.level.min(self.max_level),
                        percent(l.count, total),
                        l.level,
                        esc(&l.name),
                        l.count
                    );
                }
            }
            if a.not_applicable > 0 {
                let _ = write!(
                    out,
                    "<span class=\"na\" style=\"width:{}\" title=\"not applicable: {}\"></span>",
                    percent(a.not_applicable, total),
                    a.not_applicable
                );
            }
            out.push_str("</div></td>");
            for l in &a.levels {
                let _ = write!(out, "<td class=\"n\">{}</td>", l.count);
            }
            let _ = writeln!(
                out,
                "<td class=\"n\">{}</td><td class=\"n\">{} of {}</td><td class=\"n{}\">{}</td></tr>",
                a.not_applicable,
                a.met,
                a.with_target,
                if a.below_target > 0 { " down" } else { "" },
                a.below_target
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    fn blockers(&self, out: &mut String) {
        let agg = &self.report.aggregate;
        out.push_str("<section id=\"blockers\">\n<h2>Blockers</h2>\n");
        if agg.blockers.is_empty() {
            out.push_str("<p>Nothing blocks a next level.</p>\n</section>\n");
            return;
        }
        out.push_str(
            "<p class=\"note\">Criteria that hold repositories back from their next level, the \
             ones holding back most repositories first. Each links to why it matters and how to \
             fix it.</p>\n<table>\n<thead><tr><th scope=\"col\" class=\"n\">#</th>\
             <th scope=\"col\">Criterion</th><th scope=\"col\">Activity</th>\
             <th scope=\"col\" class=\"n\">Level</th><th scope=\"col\">Repositories held back</th>\
             <th scope=\"col\" class=\"n\">Of those below target</th></tr></thead>\n<tbody>\n",
        );
        let most = agg
            .blockers
            .iter()
            .map(|b| b.count)
            .max()
            .unwrap_or(1)
            .max(1);
        for (i, b) in agg.blockers.iter().enumerate() {
            let width = u64::from(b.count) * 160 / u64::from(most);
            let _ = writeln!(
                out,
                "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
                 <td class=\"held\"><span class=\"hold\" style=\"width:{width}px\"></span>{}</td>\
                 <td class=\"n{}\">{}</td></tr>",
                i + 1,
                self.criterion_link(&b.criterion, &b.title),
                esc(self.title(&b.activity)),
                b.level,
                b.count,
                if b.below_target > 0 { " down" } else { "" },
                b.below_target
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    fn explanations(&self, out: &mut String) {
        if self.explained.is_empty() {
            return;
        }
        out.push_str(
            "<section id=\"explanations\">\n<h2>What the blockers mean</h2>\n<p class=\"note\">\
             From the policy pack, as every repository's report carries it. \
             <code>opready explain ID</code> prints the same, with an example.</p>\n\
             <div class=\"cards\">\n",
        );
        let ranks: BTreeMap<&str, &crate::org::BlockerRank> = self
            .report
            .aggregate
            .blockers
            .iter()
            .map(|b| (b.criterion.as_str(), b))
            .collect();
        // In the order of the ranking, then criteria only the history names.
        let mut order: Vec<&str> = self
            .report
            .aggregate
            .blockers
            .iter()
            .map(|b| b.criterion.as_str())
            .filter(|id| self.explained.contains_key(id))
            .collect();
        order.extend(
            self.explained
                .keys()
                .copied()
                .filter(|id| !ranks.contains_key(id)),
        );
        for id in order {
            let Some((activity, criterion)) = self.explained.get(id) else {
                continue;
            };
            let _ = write!(
                out,
                "<article id=\"{}\">\n<h3>{} <code>{}</code></h3>\n<p class=\"meta\">{} · level {} {} \
                 · work of {} · delegation: {} · defined at <code>{}</code></p>\n\
                 <h4>Why it matters</h4>\n<p>{}</p>\n<h4>How to fix it</h4>\n<p>{}</p>\n",
                anchor(id),
                esc(&criterion.title),
                esc(id),
                esc(&activity.title),
                criterion.level,
                esc(self.level_name(criterion.level)),
                owner(&criterion.owner),
                esc(&criterion.delegation),
                esc(&criterion.defined_at),
                prose(&criterion.why),
                prose(&criterion.fix)
            );
            match ranks.get(id) {
                Some(rank) => {
                    let _ = write!(
                        out,
                        "<h4>Holds back {} {} ({} below target)</h4>\n<details><summary>Show them</summary>\
                         <p class=\"repos\">",
                        rank.count,
                        plural(rank.count as usize, "repository", "repositories"),
                        rank.below_target
                    );
                    let paths: Vec<String> = rank.repositories.iter().map(|p| esc(p)).collect();
                    out.push_str(&paths.join(", "));
                    out.push_str("</p></details>\n");
                }
                None => out.push_str("<p class=\"meta\">Holds back no repository now.</p>\n"),
            }
            out.push_str(
                "<p class=\"meta\"><a href=\"#blockers\">↑ blockers</a></p>\n</article>\n",
            );
        }
        out.push_str("</div>\n</section>\n");
    }

    fn errors(&self, out: &mut String) {
        let errors: Vec<(&OrgRepository, &RepositoryError)> = self
            .report
            .repositories
            .iter()
            .filter_map(|r| r.error().map(|e| (r, e)))
            .collect();
        if errors.is_empty() {
            return;
        }
        out.push_str(
            "<section id=\"errors\">\n<h2>Repositories that could not be rated</h2>\n\
             <p class=\"note\">They count as not meeting their targets. Fix the problem and the \
             next scan rates them.</p>\n<table>\n<thead><tr><th scope=\"col\">Repository</th>\
             <th scope=\"col\">Problem</th><th scope=\"col\">Details</th></tr></thead>\n<tbody>\n",
        );
        for (repo, error) in errors {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td><pre class=\"msg\">{}</pre></td></tr>",
                esc(&repo.path),
                error_kind(error),
                esc(&error.message)
            );
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }

    fn footer(&self, out: &mut String) {
        let r = self.report;
        let _ = write!(
            out,
            "</main>\n<footer>Rendered by {} {} from the org report (<code>opready org scan \
             --format json</code>; <code>opready org merge FILE --format html</code> renders a \
             saved one). This page is self-contained and loads nothing from the network.</footer>\n",
            esc(&r.tool.name),
            esc(&r.tool.version)
        );
        let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    }
}

/// Text made safe for HTML element content and quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A fragment id for a criterion: `c-` and the id, every character but ASCII letters,
/// digits and `-` written as `_hex_`, so any id gives a valid, unique anchor.
fn anchor(id: &str) -> String {
    let mut out = String::from("c-");
    for c in id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", u32::from(c));
        }
    }
    out
}

/// Policy prose (why, fix): escaped, `code` spans kept, paragraphs and line breaks kept.
fn prose(text: &str) -> String {
    let paragraphs: Vec<String> = text
        .trim()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let parts: Vec<&str> = p.trim().split('`').collect();
            // An unmatched backtick leaves the text as it is.
            if parts.len().is_multiple_of(2) {
                return esc(p.trim()).replace('\n', "<br>");
            }
            parts
                .iter()
                .enumerate()
                .map(|(i, part)| {
                    if i % 2 == 1 {
                        format!("<code>{}</code>", esc(part))
                    } else {
                        esc(part).replace('\n', "<br>")
                    }
                })
                .collect()
        })
        .collect();
    paragraphs.join("</p>\n<p>")
}

/// The background of a level: from a warm sand (level 1) over a pale sage to a calm teal
/// (the top level), light enough for dark text at every step.
fn level_colour(level: u8, max: u8) -> String {
    palette(
        level,
        max,
        [
            (243.0, 226.0, 196.0),
            (214.0, 233.0, 222.0),
            (131.0, 196.0, 178.0),
        ],
    )
}

/// The same scale, deeper, for the thin segments of the distribution bars.
fn bar_colour(level: u8, max: u8) -> String {
    palette(
        level,
        max,
        [
            (226.0, 190.0, 128.0),
            (150.0, 199.0, 178.0),
            (58.0, 139.0, 120.0),
        ],
    )
}

/// The colour of `level` of `max`, interpolated between three stops.
fn palette(level: u8, max: u8, stops: [(f64, f64, f64); 3]) -> String {
    let t = if max <= 1 {
        0.5
    } else {
        f64::from(level.saturating_sub(1).min(max - 1)) / f64::from(max - 1)
    };
    let (from, to, t) = if t <= 0.5 {
        (stops[0], stops[1], t * 2.0)
    } else {
        (stops[1], stops[2], (t - 0.5) * 2.0)
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round().clamp(0.0, 255.0) as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// A share as a CSS percentage with one decimal, computed in integers.
fn percent(part: u32, total: u32) -> String {
    if total == 0 {
        return "0%".to_string();
    }
    let permille = u64::from(part) * 1000 / u64::from(total);
    format!("{}.{}%", permille / 10, permille % 10)
}

fn mean(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        "–".to_string()
    }
}

fn signed(value: f64) -> String {
    if !value.is_finite() {
        "–".to_string()
    } else if value.abs() < 0.005 {
        "±0".to_string()
    } else if value > 0.0 {
        format!("+{value:.2}")
    } else {
        format!("−{:.2}", -value)
    }
}

/// An inline SVG line of the mean level across the recorded scans, the values in its
/// title for screen readers and tooltips.
fn sparkline(trend: &ActivityTrend, max_level: u8) -> String {
    const W: f64 = 140.0;
    const H: f64 = 30.0;
    const PAD: f64 = 4.0;
    let n = trend.points.len();
    let top = f64::from(max_level.max(2));
    let y = |v: f64| {
        let v = if v.is_finite() {
            v.clamp(1.0, top)
        } else {
            1.0
        };
        PAD + (top - v) / (top - 1.0) * (H - 2.0 * PAD)
    };
    let x = |i: usize| {
        if n <= 1 {
            W / 2.0
        } else {
            PAD + i as f64 * (W - 2.0 * PAD) / (n - 1) as f64
        }
    };
    let values: Vec<String> = trend
        .points
        .iter()
        .map(|p| {
            format!(
                "#{} {}: {}, {} of {} meet target",
                p.scan.id,
                p.scan.recorded_at,
                mean(p.mean_level),
                p.met,
                p.with_target
            )
        })
        .collect();
    let mut svg = format!(
        "<svg class=\"spark\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-label=\"{}\"><title>{}</title>",
        esc(&format!("{}: mean level per scan", trend.title)),
        esc(&values.join("\n"))
    );
    // Guide lines at every level.
    for level in 1..=max_level.max(2) {
        let _ = write!(
            svg,
            "<line x1=\"0\" x2=\"{W}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e3e7eb\" stroke-width=\"1\"/>",
            y(f64::from(level)),
            y(f64::from(level))
        );
    }
    if n > 1 {
        let points: Vec<String> = trend
            .points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.mean_level)))
            .collect();
        let _ = write!(svg, "<polyline points=\"{}\"/>", points.join(" "));
    }
    if let Some(last) = trend.points.last() {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.6\"/>",
            x(n - 1),
            y(last.mean_level)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn directions(levels: &[LevelChange]) -> (usize, usize) {
    let up = levels.iter().filter(|c| c.direction() > 0).count();
    let down = levels.iter().filter(|c| c.direction() < 0).count();
    (up, down)
}

fn team_label(team: Option<&str>) -> String {
    match team {
        Some(team) => esc(team),
        None => "<i>no owner declared</i>".to_string(),
    }
}

/// Who does the work of a criterion, in words.
fn owner(owner: &str) -> String {
    match owner {
        "product-team" => "the product team".to_string(),
        "central-team" => "the central team".to_string(),
        "shared" => "the product and central teams together".to_string(),
        other => esc(other),
    }
}

fn error_kind(error: &RepositoryError) -> String {
    serde_json::to_value(error.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn plural<'s>(n: usize, one: &'s str, many: &'s str) -> &'s str {
    if n == 1 { one } else { many }
}

/// Closes a list cut at [`MAX_CHANGE_ROWS`] with how many were left out.
fn more(out: &mut String, total: usize, close: &str) {
    out.push_str(close);
    if total > MAX_CHANGE_ROWS {
        let _ = writeln!(
            out,
            "<p class=\"note\">and {} more: <code>opready org diff</code> lists them all.</p>",
            total - MAX_CHANGE_ROWS
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::changes::{OrgChanges, ScanRef, TeamChange, TrendPoint};
    use crate::org::{ErrorKind, OrgPolicy, ScanSettings, tool_info};

    fn rated(fixture: &str, path: &str, service: &str, team: Option<&str>) -> OrgRepository {
        let pack = crate::policy::load::builtin().unwrap();
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(fixture);
        let mut report = crate::check::check(
            &dir,
            &pack,
            &crate::check::CheckOptions {
                require: vec![("slo".into(), 2)],
                ..Default::default()
            },
        )
        .unwrap()
        .report;
        report.service.name = service.to_string();
        report.service.owner = team.map(str::to_string);
        OrgRepository::rated(path.to_string(), report)
    }

    fn org(repositories: Vec<OrgRepository>) -> OrgReport {
        let pack = crate::policy::load::builtin().unwrap();
        let mut settings = ScanSettings::default();
        settings.require.insert("slo".into(), 2);
        OrgReport::new(
            tool_info(),
            OrgPolicy::of(&pack),
            settings,
            None,
            repositories,
        )
    }

    fn sample() -> OrgReport {
        org(vec![
            rated(
                "service-bare",
                "pay/bare",
                "checkout",
                Some("@acme/payments"),
            ),
            rated(
                "service-best-practice",
                "search/best",
                "search-api",
                Some("@acme/search"),
            ),
            rated("library", "libs/util", "util", None),
            OrgRepository::failed(
                "pay/broken".into(),
                ErrorKind::Config,
                ".opready.yaml:1:7: expected a mapping\nsecond line".into(),
            ),
        ])
    }

    #[test]
    fn hostile_names_are_rendered_inert() {
        let report = org(vec![
            rated(
                "service-bare",
                "evil/<script>alert(1)</script>",
                "<script>alert('pwned')</script>",
                Some("\"><img src=x onerror=alert(2)>"),
            ),
            OrgRepository::failed(
                "evil/<b>x".into(),
                ErrorKind::Config,
                "</pre><script>alert(3)</script>".into(),
            ),
        ]);
        let html = render(&report, None);
        assert_eq!(
            html.matches("<script").count(),
            1,
            "only the page's own script"
        );
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>x"));
        assert!(!html.contains("alert('pwned')"));
        assert!(html.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;"));
        assert!(html.contains("data-team=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""));
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    }

    #[test]
    fn the_page_holds_every_part() {
        let report = sample();
        let html = render(&report, None);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.ends_with("</html>\n"));
        for needle in [
            "<h2>Services × activities</h2>",
            "<h2>Teams</h2>",
            "<h2>Levels per activity</h2>",
            "<h2>Blockers</h2>",
            "<h2>What the blockers mean</h2>",
            "<h2>Repositories that could not be rated</h2>",
            "<b>4</b><span>repositories</span>",
            // Without the script, no controls that would do nothing.
            "<div id=\"controls\" hidden>",
            "<b>3</b><span>rated</span>",
            "@acme/payments<span>1 repository · 1 below target</span>",
            "no owner declared",
            "<th scope=\"row\">checkout<small>pay/bare</small></th>",
            // Level 1 against a target of 2, below target, with its blocker in the title.
            "<td class=\"l1 below\" title=\"checkout · SLI/SLO: level 1 Ad hoc, target 2: BELOW TARGET&#10;",
            "blocking level 2: slo-defined\">1<span class=\"t\">/2</span></td>",
            "<td class=\"na\" title=\"checkout · Cost management: not applicable\">n/a</td>",
            "config: .opready.yaml:1:7: expected a mapping <a href=\"#errors\">details</a>",
            "<pre class=\"msg\">.opready.yaml:1:7: expected a mapping\nsecond line</pre>",
        ] {
            let needle = needle.replace("&#10;", "\n");
            assert!(html.contains(&needle), "missing {needle:?}");
        }
        for activity in &report.policy.activities {
            assert!(html.contains(&format!("<th scope=\"col\" title=\"{}\">", activity.id)));
        }
        // Every ranked blocker links to an explanation on the page, with why and fix.
        assert!(!report.aggregate.blockers.is_empty());
        for blocker in &report.aggregate.blockers {
            let id = anchor(&blocker.criterion);
            assert!(html.contains(&format!("href=\"#{id}\"")), "{id}");
            assert!(html.contains(&format!("<article id=\"{id}\">")), "{id}");
        }
        let (_, slo) = Page::new(&report, None).explained["slo-defined"];
        assert!(html.contains(&prose(&slo.why)));
        assert!(html.contains(&prose(&slo.fix)));
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(
            !html.contains("id=\"changes\""),
            "no history, no changes panel"
        );
    }

    #[test]
    fn five_hundred_repositories_make_a_page_of_reasonable_size() {
        let base = sample();
        let mut repositories = Vec::new();
        for i in 0..500 {
            let mut repo = base.repositories[i % 3].clone();
            repo.path = format!("team-{}/service-{i:03}", i % 7);
            repo.service = Some(format!("service-{i:03}"));
            repo.team = Some(format!("@acme/team-{}", i % 7));
            repositories.push(repo);
        }
        let html = render(&org(repositories), None);
        // About 1.6 kB per repository, most of it the heat map's tooltips.
        assert!(html.len() < 1_500_000, "{} bytes", html.len());
        assert_eq!(html.matches("<tr data-i=").count(), 500);
    }

    #[test]
    fn nothing_rated() {
        let html = render(
            &org(vec![OrgRepository::failed(
                "gone".into(),
                ErrorKind::Unreadable,
                "no such directory".into(),
            )]),
            None,
        );
        assert!(html.contains("<p>No rated repositories.</p>"));
        assert!(html.contains("<p>Nothing blocks a next level.</p>"));
        assert!(!html.contains("id=\"explanations\""));
        assert!(html.contains("<th scope=\"row\">gone</th>"));
        assert!(html.ends_with("</html>\n"));
    }

    #[test]
    fn rendering_is_deterministic() {
        assert_eq!(render(&sample(), None), render(&sample(), None));
    }

    #[test]
    fn anchors_are_valid_and_distinct() {
        assert_eq!(anchor("slo-defined"), "c-slo-defined");
        assert_eq!(anchor("a b"), "c-a_20_b");
        assert_ne!(anchor("a_20_b"), anchor("a b"));
        assert_eq!(anchor("x\"><"), "c-x_22__3e__3c_");
    }

    #[test]
    fn prose_keeps_code_and_paragraphs() {
        assert_eq!(
            prose("Set `a<b>` here.\n\nThen <this>."),
            "Set <code>a&lt;b&gt;</code> here.</p>\n<p>Then &lt;this&gt;."
        );
        assert_eq!(prose("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn colours_and_shares() {
        assert_eq!(level_colour(1, 3), "#f3e2c4");
        assert_eq!(level_colour(3, 3), "#83c4b2");
        assert_eq!(level_colour(2, 3), "#d6e9de");
        assert_eq!(level_colour(9, 3), "#83c4b2");
        assert_eq!(level_colour(1, 1), "#d6e9de");
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(3, 3), "100.0%");
        assert_eq!(percent(0, 0), "0%");
        assert_eq!(signed(0.25), "+0.25");
        assert_eq!(signed(-0.5), "−0.50");
        assert_eq!(signed(0.001), "±0");
    }

    fn scan(id: i64, day: u32) -> ScanRef {
        ScanRef {
            id,
            recorded_at: format!("2026-11-{day:02}T09:00:00Z"),
        }
    }

    fn level(repo: &str, activity: &str, before: u8, after: u8) -> LevelChange {
        LevelChange {
            repository: repo.into(),
            service: Some(format!("svc <{repo}>")),
            team: Some("@acme/payments".into()),
            activity: activity.into(),
            before: Some(before),
            after: Some(after),
            target_before: Some(2),
            target_after: Some(2),
        }
    }

    fn blocker(repo: &str, criterion: &str) -> BlockerChange {
        BlockerChange {
            repository: repo.into(),
            team: Some("@acme/payments".into()),
            criterion: criterion.into(),
            activity: "slo".into(),
            title: format!("title of {criterion}"),
            level: 2,
        }
    }

    fn history() -> HistoryContext {
        let trend = |activity: &str, means: &[f64]| ActivityTrend {
            activity: activity.into(),
            title: activity.to_uppercase(),
            points: means
                .iter()
                .enumerate()
                .map(|(i, m)| TrendPoint {
                    scan: scan(i as i64 + 1, 2 + 7 * i as u32),
                    applicable: 4,
                    mean_level: *m,
                    with_target: 3,
                    met: 1 + i as u32,
                })
                .collect(),
        };
        HistoryContext {
            changes: OrgChanges {
                previous: Some(scan(2, 9)),
                current: Some(scan(3, 16)),
                added: vec!["search/best".into()],
                removed: vec!["old/<gone>".into()],
                rules_changed: Some(crate::org::changes::RulesChange {
                    policy: None,
                    version: Some(("0.1.0".into(), "0.2.0".into())),
                }),
                levels: vec![
                    level("pay/bare", "slo", 2, 1),
                    level("pay/bare", "delivery", 1, 2),
                    level("libs/util", "monitoring", 1, 3),
                ],
                teams: vec![TeamChange {
                    team: Some("@acme/payments".into()),
                    up: 2,
                    down: 1,
                    new_blockers: 1,
                    fixed_blockers: 1,
                }],
                new_blockers: vec![blocker("pay/bare", "slo-defined")],
                fixed_blockers: vec![blocker("pay/bare", "retired-criterion")],
                newly_below_target: vec!["pay/bare".into()],
                newly_met: vec![],
            },
            trends: vec![trend("slo", &[1.0, 1.5, 1.2]), trend("delivery", &[2.0])],
        }
    }

    #[test]
    fn history_shows_changes_and_trends() {
        let report = sample();
        let history = history();
        let html = render(&report, Some(&history));
        for needle in [
            "<p class=\"note rules\"><strong>⚠</strong> The rules changed between these scans (opready 0.1.0 → 0.2.0): some levels may have moved because of the rules, not the work.</p>",
            "Since scan #2 (2026-11-09T09:00:00Z): <span class=\"up\">▲ 2 up</span> · <span class=\"down\">▼ 1 down</span> · 1 new blocker · 1 fixed · 1 repository added, 1 removed.",
            "<h2>Since the previous scan</h2>",
            "From scan #2 (2026-11-09T09:00:00Z) to scan #3 (2026-11-16T09:00:00Z).",
            "<b>2</b><span>activity levels up</span>",
            "<tr><th scope=\"row\">@acme/payments</th><td class=\"n up\">2</td><td class=\"n down\">1</td>",
            // Levels down first, escaped service names, activity titles.
            "<th scope=\"row\">svc &lt;pay/bare&gt; <span class=\"t\">pay/bare</span></th><td>@acme/payments</td><td><span class=\"down\">▼</span> SLI/SLO 2 → 1 (target 2); <span class=\"up\">▲</span>",
            // A new blocker links to its explanation; a criterion no report knows does not.
            "<a href=\"#c-slo-defined\"><code>slo-defined</code></a> title of slo-defined",
            "<code>retired-criterion</code> title of retired-criterion",
            "<li>old/&lt;gone&gt;</li>",
            "<h3>Fell below target</h3>",
            "<h2>Trend per activity</h2>",
            "across the last 3 recorded scans",
            "<td class=\"n\">1.00</td><td class=\"n\">1.20</td><td class=\"n up\">+0.20</td><td class=\"n\">3 of 3</td>",
            "<polyline points=\"4.0,26.0 70.0,20.5 136.0,23.8\"/>",
            "#3 2026-11-16T09:00:00Z: 1.20, 3 of 3 meet target",
            // One scan: a dot, no line.
            "<circle cx=\"70.0\" cy=\"15.0\" r=\"2.6\"/></svg></td><td class=\"n\">2.00</td>",
        ] {
            assert!(html.contains(needle), "missing {needle:?}");
        }
        let down = html.find("svc &lt;pay/bare&gt;").unwrap();
        let up = html.find("svc &lt;libs/util&gt;").unwrap();
        assert!(down < up, "repositories with a level down come first");
        assert_eq!(html, render(&report, Some(&history)));
    }

    #[test]
    fn first_scan_and_long_lists() {
        let report = sample();
        let first = HistoryContext::default();
        let html = render(&report, Some(&first));
        assert!(html.contains("First recorded scan"));
        assert!(html.contains("This is the first recorded scan"));
        assert!(html.contains("No recorded scans yet."));

        let mut many = history();
        many.changes.added = (0..MAX_CHANGE_ROWS + 5)
            .map(|i| format!("r{i:04}"))
            .collect();
        let html = render(&report, Some(&many));
        assert!(html.contains("<li>r0199</li>"));
        assert!(!html.contains("<li>r0200</li>"));
        assert!(html.contains("and 5 more: <code>opready org diff</code> lists them all."));
    }
}
