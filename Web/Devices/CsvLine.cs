using System.Text;

namespace TwinCity.Web.Devices;

/// <summary>Splits one CSV line (RFC 4180: quoted fields, doubled quotes inside quotes).</summary>
public static class CsvLine
{
    public static bool TrySplit(string line, out List<string> fields, out string? error)
    {
        fields = [];
        var current = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"' && current.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        if (quoted)
        {
            error = "a quoted field is not closed";
            return false;
        }

        fields.Add(current.ToString());
        error = null;
        return true;
    }
}
