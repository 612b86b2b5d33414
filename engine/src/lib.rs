//! vouch-engine: evidence ingestion, the evidence graph, evaluation and reports.
