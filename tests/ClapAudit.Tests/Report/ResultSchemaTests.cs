using System.Text.Json;
using System.Text.Json.Nodes;
using ClapAudit.Report;
using ClapAudit.Tests.Analysis;
using ClapAudit.Tests.Cli;
using Json.Schema;

namespace ClapAudit.Tests.Report;

/// <summary>
/// Real outputs of <c>analyze --json</c> and <c>report</c> against the JSON Schemas in docs/schema/ (JsonSchema.Net,
/// draft 2020-12), and the shared audit record: a bundle's entry is the same object in both outputs.
/// </summary>
public class ResultSchemaTests
{
    private static readonly Lazy<BuildOptions> Schemas = new(() =>
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        // The shared parts first, so that the documents that refer to them resolve.
        foreach (var name in new[] { "bundle-audit", "settings", "correlation", "analyze", "report" })
            JsonSchema.FromText(File.ReadAllText(SchemaPath(name)), options);
        return options;
    });

    private static string SchemaPath(string name) => Path.Combine(Fixtures.Root, "docs", "schema", $"{name}.schema.json");

    private static JsonSchema Schema(string name) =>
        (JsonSchema?)Schemas.Value.SchemaRegistry.Get(new Uri($"urn:clapaudit:schema:{name}")) ?? throw new InvalidOperationException($"schema {name} not registered");

    private static void AssertValid(string schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = Schema(schema).Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).Take(20).ToList();
        Assert.True(result.IsValid, $"{schema}.schema.json rejects the output:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void AnalyzeOutputWithMapsAndARetrievalBundleMatchesItsSchema()
    {
        using var dir = Fixtures.TempDir();
        string json = dir.File("out.json");
        var (code, _, err) = CliTestHost.Run(["analyze", .. AnalysisFixtures.GoodBundles.Select(AnalysisFixtures.BundlePath),
            Fixtures.Path("retrieval"), "--tsne", dir.File("maps"), "--json", json]);
        Assert.True(code == 0, err);
        string text = File.ReadAllText(json);
        AssertValid("analyze", text);
        var root = JsonNode.Parse(text)!;
        Assert.Equal(4, root["bundles"]!.AsArray().Count);
        Assert.NotNull(root["bundles"]![3]!["retrieval"]);
        Assert.NotNull(root["bundles"]![0]!["tsne"]!["audio"]!["trustworthiness"]);
    }

    [Fact]
    public void TheSchemasRejectAnOldVersionAnUnknownKeyAndAMisspeltStatus()
    {
        var (code, output, err) = CliTestHost.Run("analyze", AnalysisFixtures.BundlePath("clusters"), "--json", "-");
        Assert.True(code == 0, err);
        var good = JsonNode.Parse(output)!;
        Assert.True(Valid("analyze", good));
        var old = good.DeepClone();
        old["version"] = 1;
        Assert.False(Valid("analyze", old));
        var extra = good.DeepClone();
        extra["bundles"]![0]!["silhouette"]!["audio_embedding"] = 0.5;  // a key of no schema: drift
        Assert.False(Valid("analyze", extra));
    }

    private static bool Valid(string schema, JsonNode node)
    {
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return Schema(schema).Evaluate(doc.RootElement).IsValid;
    }

    [Fact]
    public void ReportJsonWithMissingSetupsAndMapsMatchesItsSchema()
    {
        using var dir = Fixtures.TempDir();
        string grid = Path.Combine(dir.Path, "grid");
        SyntheticGrid.Write(grid, [("clean", "none")], perClass: 6);
        var outcome = ReportBuilder.BuildFromGrid(grid, new ReportOptions { Tsne = true, HtmlPath = Path.Combine(dir.Path, "out", "report.html") });
        string text = File.ReadAllText(outcome.JsonPath);
        AssertValid("report", text);
        var misspelt = JsonNode.Parse(text)!;
        misspelt["setups"]![0]!["status"] = "OK";
        Assert.False(Valid("report", misspelt));
        var missingWithAudit = JsonNode.Parse(text)!;
        var cn = missingWithAudit["setups"]!.AsArray().Single(x => (string)x!["label"]! == "clean/none")!;
        cn["audit"] = missingWithAudit["setups"]![0]!["audit"]!.DeepClone();
        Assert.False(Valid("report", missingWithAudit));
    }

    [Fact]
    public void ASetupsAuditInReportJsonIsKeyForKeyTheBundleEntryOfAnalyze()
    {
        using var dir = Fixtures.TempDir();
        string grid = Path.Combine(dir.Path, "grid");
        SyntheticGrid.Write(grid);
        var outcome = ReportBuilder.BuildFromGrid(grid, new ReportOptions { Tsne = false, HtmlPath = Path.Combine(dir.Path, "report.html") });
        string bundle = Path.Combine(grid, "setups", "dirty-dirty", "bundle");
        var (code, output, err) = CliTestHost.Run("analyze", bundle, "--json", "-");
        Assert.True(code == 0, err);
        var fromAnalyze = JsonNode.Parse(output)!["bundles"]![0]!.AsObject();
        var fromReport = outcome.Json["setups"]!.AsArray().Single(s => (string)s!["label"]! == "dirty/dirty")!["audit"]!.AsObject();
        Assert.Equal(fromAnalyze.Select(kv => kv.Key), fromReport.Select(kv => kv.Key));
        fromAnalyze.Remove("path");
        fromReport.Remove("path");
        Assert.True(JsonNode.DeepEquals(fromAnalyze, fromReport), $"analyze:\n{fromAnalyze}\nreport:\n{fromReport}");
    }
}
