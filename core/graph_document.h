// Graph documents of format version 2, expanded into the version-1 form that
// parse_graph() reads. Version 2 adds two things so graphs stay short enough
// to write and read by hand:
//   "chain": "a ! b ! c"  (or a list of such strings) wires a.out -> b.in ->
//            b.out -> c.in; only branches and loops need explicit "edges".
//            The first element may name an output port ("a.x ! b"), the last
//            an input port ("a ! b.y").
//   "extends": "base.json" takes a base graph (version 1 or 2, path relative
//            to this file) and applies this document on top of it: params and
//            resources are merged (RFC 7386: null deletes a key); a node with
//            a base node's id is merged into it (a different "type" replaces
//            it, "remove": true deletes it), other nodes are appended; "chain"
//            and "edges" replace the base's when given. The base's relative
//            "dataset" is rebased onto this file's folder.
// Version-1 documents pass through unchanged.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace flowrun {

// Returns the version-1 document. `file` is the document's path ("" for an
// in-memory document; it then cannot extend a relative path). Throws
// InputError naming the file and JSON path of the first problem.
nlohmann::json expand_graph_document(const nlohmann::json& doc, const std::string& file);

}  // namespace flowrun
