namespace Notifiche.Dlq;

/// <summary>Left-aligned columns padded to their widest cell, for terminals and grep alike.</summary>
public sealed class TextTable(params string[] headings)
{
    private readonly List<string[]> _rows = [headings];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter output, string indent = "  ")
    {
        var widths = Enumerable.Range(0, headings.Length).Select(c => _rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in _rows)
        {
            output.WriteLine(indent + string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
    }
}

public static class Ages
{
    /// <summary>A short age: 42s, 5m12s, 3h04m, 2d03h.</summary>
    public static string Format(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is null)
        {
            return "?";
        }

        var age = now - since.Value;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalMinutes < 1 ? $"{(int)age.TotalSeconds}s"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m{age.Seconds:00}s"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours}h{age.Minutes:00}m"
            : $"{(int)age.TotalDays}d{age.Hours:00}h";
    }
}
