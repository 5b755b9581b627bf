using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using ClapAudit.Cli.Infrastructure;
using ClapAudit.Text;

namespace ClapAudit.Cli.Commands;

/// <summary><c>clapaudit tokenize --vocab vocab.txt|FOLDER</c>: one JSON line of ids and tokens per input line.</summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var vocab = new Option<string>("--vocab") { Description = "A BERT vocab.txt, or a Hugging Face folder holding one.", Required = true };
        var maxLength = new Option<int>("--max-length") { Description = "Truncate to this many tokens, [CLS] and [SEP] included (0: no limit).", DefaultValueFactory = _ => BertTokenizer.DefaultMaxLength };
        var file = new Option<string?>("--file") { Description = "Read the texts from this file instead of standard input." };
        var command = new Command("tokenize", "Tokenise one text a line (standard input or --file) as bert-base-uncased does; prints {\"ids\": [...], \"tokens\": [...]} per line, with [CLS]/[SEP] and no padding.")
        {
            vocab, maxLength, file,
        };
        CommandRunner.SetHandler(command, (parse, ctx, token) =>
        {
            var tokenizer = BertTokenizer.Load(parse.GetValue(vocab)!);
            int max = parse.GetValue(maxLength);
            var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
            foreach (var line in TextInput.ReadLines(parse.GetValue(file)))
            {
                token.ThrowIfCancellationRequested();
                var e = tokenizer.Encode(line, max);
                ctx.Output.WriteLine(JsonSerializer.Serialize(new { ids = e.Ids, tokens = e.Tokens }, options));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
