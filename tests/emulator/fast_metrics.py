"""moto 5.2.5's GetMetricData with an index, so the emulator can serve 1,000 functions.

moto compares every query with every datapoint in the window (for a query with dimensions it
sorts both dimension lists per datapoint per period): a call of 500 queries over 1,000
functions' datapoints takes seconds, and the health of a 1,000-function account four such
calls. This keeps moto's own code path for the answer and only narrows the datapoints each
query looks at, to a superset of the ones moto's own filter would keep:

- a query without dimensions: datapoints of its namespace and metric name;
- a query with dimensions, all with values: datapoints of its metric name with the same
  (name, value) pairs (what moto's sorted-list equality needs when no value is a wildcard);
- anything else (a wildcard value): every datapoint of its metric name.

moto's filter then runs unchanged on those, and the buckets, statistics (including the 500 it
gives for percentiles) and result shapes are moto's. Requests with math or Metrics Insights
expressions go to moto's original method untouched.
"""

from collections import defaultdict
from datetime import timedelta

from moto.cloudwatch.models import CloudWatchBackend, Dimension, Statistics

_original = CloudWatchBackend.get_metric_data


def _dims_key(dims):
    """(name, value) pairs in order, or None if a value is a wildcard."""
    if any(d.value is None for d in dims):
        return None
    return tuple(sorted((d.name, d.value) for d in dims))


def get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    if not queries or any("MetricStat" not in q for q in queries) or start_time >= end_time:
        return _original(self, queries, start_time, end_time, scan_by)
    start_time = start_time.replace(microsecond=0)
    end_time = end_time.replace(microsecond=0)
    period_data = [md for md in self.get_all_metrics() if start_time <= md.timestamp < end_time]
    by_ns_name, by_name, by_dims = defaultdict(list), defaultdict(list), defaultdict(list)
    for md in period_data:
        by_ns_name[(md.namespace, md.name)].append(md)
        by_name[md.name].append(md)
        key = _dims_key(md.dimensions)
        if key is not None:
            by_dims[(md.name, key)].append(md)

    results = []
    for query in queries:
        metric_stat = query["MetricStat"]
        query_ns = metric_stat["Metric"]["Namespace"]
        query_name = metric_stat["Metric"]["MetricName"]
        dimensions = [Dimension(name=d["Name"], value=d["Value"]) for d in metric_stat["Metric"].get("Dimensions", [])]
        if not dimensions:
            candidates = by_ns_name[(query_ns, query_name)]
        elif _dims_key(dimensions) is not None:
            # Wildcard datapoints can match too; they are few, so add them back.
            candidates = by_dims[(query_name, _dims_key(dimensions))] + [
                md for md in by_name[query_name] if _dims_key(md.dimensions) is None]
        else:
            candidates = by_name[query_name]
        # From here on, moto's own loop over the candidates.
        delta = timedelta(seconds=int(metric_stat["Period"]))
        unit, stat = metric_stat.get("Unit"), metric_stat["Stat"]
        result_vals, timestamps = [], []
        period_start_time = start_time
        while period_start_time <= end_time:
            period_end_time = period_start_time + delta
            period_md = [md for md in candidates if period_start_time <= md.timestamp < period_end_time]
            query_period_data = [md for md in period_md if md.namespace == query_ns and md.name == query_name]
            if dimensions:
                query_period_data = [md for md in period_md
                                     if sorted(md.dimensions) == sorted(dimensions) and md.name == query_name]
            if unit:
                query_period_data = [md for md in query_period_data if md.unit == unit]
            if len(query_period_data) > 0:
                stats = Statistics([stat], period_start_time)
                stats.metric_data = query_period_data
                result_vals.append(stats.get_statistics_for_type(stat))
                timestamps.append(stats.timestamp)
            period_start_time += delta
        if scan_by == "TimestampDescending" and len(timestamps) > 0:
            timestamps.reverse()
            result_vals.reverse()
        if query.get("ReturnData", True):
            results.append({"id": query["Id"], "label": query.get("Label") or f"{query_name} {stat}",
                            "values": result_vals, "timestamps": timestamps, "status_code": "Complete"})
    return results


def install():
    CloudWatchBackend.get_metric_data = get_metric_data
