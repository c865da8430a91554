"""Site-wide batch scans: baselines, inline suppressions, incremental cache, mirrors and crawls,
HTML/XLSX reports and scale-out. Everything here calls `pubguard.scan`; no detector logic."""
