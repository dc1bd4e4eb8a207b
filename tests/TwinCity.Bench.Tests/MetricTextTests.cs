using TwinCity.Testing;

namespace TwinCity.Bench.Tests;

public sealed class MetricTextTests
{
    private const string Scrape = """
        # TYPE dotnet_gc_collections_total counter
        dotnet_gc_collections_total{gc_heap_generation="gen0",otel_scope_name="System.Runtime"} 412 1764393600000
        dotnet_gc_collections_total{gc_heap_generation="gen1",otel_scope_name="System.Runtime"} 37 1764393600000
        dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 5 1764393600000
        # TYPE dotnet_gc_pause_time_seconds_total counter
        dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 1.2345 1764393600000
        twincity_gc_live_after_full_collection_bytes 129000000
        """;

    [Fact]
    public void A_metric_is_summed_over_its_series_or_over_those_with_a_label()
    {
        Assert.Equal(454, PrometheusText.Sum(Scrape, "dotnet_gc_collections"));
        Assert.Equal(5, PrometheusText.Sum(Scrape, "dotnet_gc_collections", "gc_heap_generation=\"gen2\""));
        Assert.Equal(129_000_000, PrometheusText.Sum(Scrape, "twincity_gc_live_after_full_collection"));
    }

    [Fact]
    public void Fractions_are_kept_and_a_metric_not_exported_is_null()
    {
        Assert.Equal(1.2345, PrometheusText.Sum(Scrape, "dotnet_gc_pause_time"));
        Assert.Null(PrometheusText.Sum(Scrape, "dotnet_gc_heap"));
        Assert.Null(PrometheusText.Sum(Scrape, "dotnet_gc_collections", "gc_heap_generation=\"gen3\""));
    }
}
