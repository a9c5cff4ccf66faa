// The page `flowrun report` writes: one self-contained HTML file (inline CSS,
// SVG drawn by inline JavaScript, PNG panels as data URIs; nothing fetched
// from the network) built around the runs' data as one JSON document.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flowrun {

// `data`: {"title": ..., "generated": ..., "version": ..., "runs": [{"name", "folder",
// "log": [lines], "profile", "summary", "graph", "panels": [{"case", "view", "png"}],
// "notes": [...]}], "sweep": (optional) sweep.json of `flowrun sweep`}.
// Everything the page shows comes from it.
std::string report_html(const nlohmann::json& data);

// "2026-12-03 09:41 UTC": when a report was written.
std::string now_text();

}  // namespace flowrun
