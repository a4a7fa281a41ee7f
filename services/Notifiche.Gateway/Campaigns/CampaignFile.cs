using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Notifiche.Gateway.Campaigns;

/// <summary>One data row of a campaign file: the codice fiscale and placeholder values as written, or why it cannot be read.</summary>
/// <param name="Number">Its line in the file (CSV: the header is line 1), as a spreadsheet or an editor numbers it.</param>
public sealed record CampaignFileRow(int Number, string? FiscalCode, Dictionary<string, string>? Values, string? Problem = null);

/// <summary>The file as a whole is not a campaign file: a 400 naming <see cref="Field"/>, and nothing is stored.</summary>
public sealed class CampaignFileException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads an uploaded campaign file row by row from the request body, never holding more than one row: CSV (RFC 4180:
/// semicolon or comma, as the header row uses; quoted fields with <c>""</c> escapes and line breaks) or JSON lines (one
/// object per line), UTF-8 with or without a byte order mark. A hand parser, not a library: the reader must be
/// asynchronous over the request body (Kestrel forbids synchronous reads), bound every field's size while reading, and
/// number rows by the line they start on; the served parsers (CsvHelper 34, Sep) read synchronously or number records, not lines.
/// </summary>
public static class CampaignFile
{
    public const string Csv = "csv", JsonLines = "jsonl";
    public const string FiscalCodeColumn = "codice_fiscale";
    public const int MaxRows = 100_000;

    /// <summary>A field longer than this (a value may have 500 characters) makes its row invalid; the rest of it is skipped.</summary>
    private const int MaxFieldChars = 1_000;
    private const int MaxHeaderChars = 4_096;

    public static string? FormatOf(string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "text/csv" => Csv,
            "application/x-ndjson" or "application/jsonl" => JsonLines,
            _ => null,
        };

    /// <summary>The file's data rows; throws <see cref="CampaignFileException"/> at the first thing that makes it no campaign file.</summary>
    /// <param name="placeholders">The template's placeholders: a CSV header must name each of them once, and nothing else.</param>
    public static async IAsyncEnumerable<CampaignFileRow> ReadAsync(Stream body, string format, IReadOnlySet<string> placeholders,
        [EnumeratorCancellation] CancellationToken ct)
    {
        // Strict UTF-8: a file in another encoding is refused, never read as mojibake into a notice.
        using var reader = new StreamReader(body, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, 16 * 1024);
        var chars = new CharSource(reader, ct);
        var rows = 0;
        var source = format == Csv ? CsvRowsAsync(chars, placeholders) : JsonRowsAsync(chars);
        await foreach (var row in source)
        {
            if (++rows > MaxRows)
            {
                throw new CampaignFileException("file", $"has more than {MaxRows} rows; split it into several campaigns");
            }

            yield return row;
        }

        if (rows == 0)
        {
            throw new CampaignFileException("file", "has no rows");
        }
    }

    private static async IAsyncEnumerable<CampaignFileRow> CsvRowsAsync(CharSource chars, IReadOnlySet<string> placeholders)
    {
        var header = await HeaderAsync(chars);
        var delimiter = header.Contains(';') ? ';' : ',';
        var columns = header.Split(delimiter).Select(c => c.Trim().Trim('"').Trim()).ToList();
        CheckHeader(columns, placeholders);

        var fields = new List<string>(columns.Count);
        while (await ReadRecordAsync(chars, delimiter, fields) is { } record)
        {
            if (record.Blank)
            {
                continue;
            }

            if (record.Overlong)
            {
                yield return new CampaignFileRow(record.Line, null, null, $"a value is longer than {MaxFieldChars} characters");
            }
            else if (fields.Count != columns.Count)
            {
                yield return new CampaignFileRow(record.Line, null, null, $"has {fields.Count} fields, the header has {columns.Count}");
            }
            else
            {
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 1; i < columns.Count; i++)
                {
                    values[columns[i]] = fields[i];
                }

                yield return new CampaignFileRow(record.Line, fields[0], values);
            }
        }
    }

    private static void CheckHeader(List<string> columns, IReadOnlySet<string> placeholders)
    {
        if (columns[0].TrimStart('\uFEFF') != FiscalCodeColumn)
        {
            throw new CampaignFileException("header", $"must be the first row and start with {FiscalCodeColumn}, then the template's placeholders "
                + $"({string.Join(", ", placeholders.Order(StringComparer.Ordinal))}), separated by semicolons or commas");
        }

        var named = columns.Skip(1).ToList();
        if (named.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CampaignFileException("header", $"names {Shown(twice.Key)} twice");
        }

        if (named.FirstOrDefault(c => !placeholders.Contains(c)) is { } unknown)
        {
            throw new CampaignFileException("header", $"names {Shown(unknown)}, which is not a placeholder of the template");
        }

        if (placeholders.Where(p => !named.Contains(p)).Order(StringComparer.Ordinal).ToList() is { Count: > 0 } missing)
        {
            throw new CampaignFileException("header", $"lacks the template's placeholders {string.Join(", ", missing)}");
        }
    }

    /// <summary>A column name echoed only when it could be a placeholder's (never a value pasted in the header's place).</summary>
    private static string Shown(string column) => Templates.Placeholders.IsValidName(column) ? column : "a column";

    private static async Task<string> HeaderAsync(CharSource chars)
    {
        var header = new StringBuilder();
        while (await chars.NextAsync() is { } c && c != '\n')
        {
            if (header.Length == MaxHeaderChars)
            {
                throw new CampaignFileException("header", $"is longer than {MaxHeaderChars} characters");
            }

            header.Append(c);
        }

        if (header.Length == 0 && chars.Ended)
        {
            throw new CampaignFileException("file", "is empty");
        }

        return header.ToString().TrimEnd('\r');
    }

    private sealed record CsvRecord(int Line, bool Blank, bool Overlong);

    /// <summary>The next record's fields into <paramref name="fields"/>; null at the end of the file.</summary>
    private static async Task<CsvRecord?> ReadRecordAsync(CharSource chars, char delimiter, List<string> fields)
    {
        fields.Clear();
        var line = chars.Line;
        var field = new StringBuilder();
        var (quoted, wasQuoted, overlong, any) = (false, false, false, false);
        while (true)
        {
            var next = await chars.NextAsync();
            if (next is not { } c)
            {
                if (quoted)
                {
                    throw new CampaignFileException("file", $"has a quoted field opened on line {line} and never closed");
                }

                if (!any)
                {
                    return null;
                }

                fields.Add(field.ToString());
                return new CsvRecord(line, false, overlong);
            }

            any = true;
            if (quoted)
            {
                if (c == '"')
                {
                    if (await chars.PeekAsync() == '"')
                    {
                        await chars.NextAsync();
                        Append(field, '"', ref overlong);
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    Append(field, c, ref overlong);
                }
            }
            else if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                (quoted, wasQuoted) = (true, true);
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && await chars.PeekAsync() == '\n')
                {
                    await chars.NextAsync();
                }

                fields.Add(field.ToString());
                return new CsvRecord(line, fields.Count == 1 && fields[0].Length == 0 && !wasQuoted, overlong);
            }
            else
            {
                Append(field, c, ref overlong);
            }
        }
    }

    private static void Append(StringBuilder field, char c, ref bool overlong)
    {
        if (field.Length < MaxFieldChars)
        {
            field.Append(c);
        }
        else
        {
            overlong = true;
        }
    }

    private static async IAsyncEnumerable<CampaignFileRow> JsonRowsAsync(CharSource chars)
    {
        var text = new StringBuilder();
        while (true)
        {
            var number = chars.Line;
            text.Clear();
            char? c;
            while ((c = await chars.NextAsync()) is { } ch && ch != '\n')
            {
                text.Append(ch);
            }

            var line = text.ToString().Trim().TrimStart('\uFEFF');
            if (line.Length > 0)
            {
                yield return JsonRow(number, line);
            }

            if (c is null)
            {
                yield break;
            }
        }
    }

    private static CampaignFileRow JsonRow(int number, string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            throw new CampaignFileException("file", $"line {number} is not JSON: a JSON lines file has one JSON object per line");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CampaignFileException("file", $"line {number} is not a JSON object: a JSON lines file has one JSON object per line");
            }

            string? fiscalCode = null;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Value.ValueKind != JsonValueKind.String)
                {
                    return new CampaignFileRow(number, null, null, $"{(member.Name == FiscalCodeColumn ? FiscalCodeColumn : Shown(member.Name))}: must be a string");
                }

                if (member.Name == FiscalCodeColumn)
                {
                    fiscalCode = member.Value.GetString();
                }
                else
                {
                    values[member.Name] = member.Value.GetString()!;
                }
            }

            return new CampaignFileRow(number, fiscalCode, values);
        }
    }

    /// <summary>The body's characters one at a time, with the line being read (1-based) and one character of look-ahead.</summary>
    private sealed class CharSource(TextReader reader, CancellationToken ct)
    {
        private readonly char[] _buffer = new char[16 * 1024];
        private int _position, _length;

        public int Line { get; private set; } = 1;

        public bool Ended { get; private set; }

        public async ValueTask<char?> PeekAsync() => _position < _length || await FillAsync() ? _buffer[_position] : null;

        public async ValueTask<char?> NextAsync()
        {
            if (_position == _length && !await FillAsync())
            {
                return null;
            }

            var c = _buffer[_position++];
            if (c == '\n' || (c == '\r' && (_position < _length || await FillAsync()) && _buffer[_position] != '\n'))
            {
                Line++;
            }

            return c;
        }

        private async ValueTask<bool> FillAsync()
        {
            try
            {
                _length = await reader.ReadAsync(_buffer, ct);
            }
            catch (DecoderFallbackException)
            {
                throw new CampaignFileException("file", "is not UTF-8 text");
            }

            _position = 0;
            Ended = _length == 0;
            return !Ended;
        }
    }
}
