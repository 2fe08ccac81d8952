using System.Collections;
using System.Globalization;
using System.Reflection;

namespace NginxUpstream.Export;

/// <summary>
/// Maps model objects to BCL trees (ordered string-keyed dictionaries, lists, scalars) and back.
/// Keys are the camelCase property names, so the YAML keys follow DESIGN.md's object model; only
/// properties with a public setter are mapped (computed ones such as Origin are not data). Null
/// values are left out; everything else, defaults included, is written so a reader sees every field.
/// </summary>
public static class FindingMapper
{
    /// <summary>The document key that names a finding's type.</summary>
    public const string TypeKey = "type";

    private static readonly Dictionary<Type, PropertyInfo[]> PropertyCache = new();

    /// <summary>A finding as a tree with <c>type</c> first. Throws ArgumentException for a type outside the set.</summary>
    public static IDictionary<string, object?> ToTree(object finding)
    {
        var name = FindingTypes.NameOf(finding)
            ?? throw new ArgumentException($"Cannot export a {finding.GetType().FullName}: expected one of {string.Join(", ", FindingTypes.Names)}.", nameof(finding));
        var map = new OrderedMap { [TypeKey] = name };
        WriteProperties(finding, map);
        return map;
    }

    /// <summary>Reads one finding tree (with its <c>type</c>) back into its model type.</summary>
    public static object FromTree(object? tree, string path = "finding")
    {
        if (tree is not IDictionary<string, object?> map)
            throw new FindingFormatException(path, "expected a mapping with a 'type' key");
        map.TryGetValue(TypeKey, out var tn);
        var type = FindingTypes.Resolve(tn as string)
            ?? throw new FindingFormatException(path + "." + TypeKey,
                $"'{tn}' is not a finding type; expected one of {string.Join(", ", FindingTypes.Names)}");
        return ReadObject(map, type, path);
    }

    /// <summary>camelCase of a property name: OomScoreAdj -> oomScoreAdj.</summary>
    public static string KeyOf(string propertyName) =>
        propertyName.Length == 0 ? propertyName : char.ToLowerInvariant(propertyName[0]) + propertyName[1..];

    internal static PropertyInfo[] PropertiesOf(Type t)
    {
        lock (PropertyCache)
        {
            if (PropertyCache.TryGetValue(t, out var p)) return p;
            // The type's own properties first (declaration order), then its bases' (LogRecord's Source, LineNumber, Line last).
            var list = new List<PropertyInfo>();
            for (var cur = t; cur is not null && cur != typeof(object); cur = cur.BaseType)
                list.AddRange(cur.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Where(pi => pi.GetIndexParameters().Length == 0 && pi.SetMethod is { IsPublic: true })
                    .OrderBy(pi => pi.MetadataToken));
            return PropertyCache[t] = list.ToArray();
        }
    }

    private static void WriteProperties(object obj, IDictionary<string, object?> map)
    {
        foreach (var p in PropertiesOf(obj.GetType()))
        {
            var v = ToValue(p.GetValue(obj));
            if (v is not null) map[KeyOf(p.Name)] = v;
        }
    }

    private static object? ToValue(object? v)
    {
        switch (v)
        {
            case null: return null;
            case string or bool or int or long or double or DateTimeOffset: return v;
            case Enum e: return e.ToString();
            case float or decimal or short or byte: return System.Convert.ToDouble(v, CultureInfo.InvariantCulture);
            case IReadOnlyDictionary<string, string> d:
                var m = new OrderedMap();
                foreach (var (k, val) in d.OrderBy(kv => kv.Key, StringComparer.Ordinal)) m[k] = val;
                return m;
            case IEnumerable seq:
                var list = new List<object?>();
                foreach (var item in seq) list.Add(ToValue(item));
                return list;
        }
        if (FindingTypes.IsStructured(v.GetType()))
        {
            var map = new OrderedMap();
            WriteProperties(v, map);
            return map;
        }
        throw new ArgumentException($"No YAML mapping for a {v.GetType().FullName}.");
    }

    private static object ReadObject(IDictionary<string, object?> map, Type type, string path)
    {
        var obj = Activator.CreateInstance(type)!;
        foreach (var p in PropertiesOf(type))
        {
            if (!map.TryGetValue(KeyOf(p.Name), out var raw) || raw is null) continue;
            var childPath = path + "." + KeyOf(p.Name);
            p.SetValue(obj, Convert(raw, p.PropertyType, childPath));
        }
        return obj;
    }

    private static object? Convert(object raw, Type target, string path)
    {
        var under = Nullable.GetUnderlyingType(target) ?? target;
        try
        {
            if (under == typeof(string)) return raw is string s ? s : System.Convert.ToString(raw, CultureInfo.InvariantCulture);
            if (under == typeof(bool)) return raw is bool b ? b : bool.Parse((string)raw);
            if (under == typeof(int)) return System.Convert.ToInt32(raw, CultureInfo.InvariantCulture);
            if (under == typeof(long)) return System.Convert.ToInt64(raw, CultureInfo.InvariantCulture);
            if (under == typeof(double)) return System.Convert.ToDouble(raw, CultureInfo.InvariantCulture);
            if (under == typeof(DateTimeOffset))
                return raw is DateTimeOffset d ? d : DateTimeOffset.Parse((string)raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            if (under.IsEnum)
            {
                var name = raw as string ?? throw new FormatException("expected a name");
                if (!Enum.TryParse(under, name, true, out var ev) || !Enum.IsDefined(under, ev!))
                    throw new FormatException($"'{name}' is not one of {string.Join(", ", Enum.GetNames(under))}");
                return ev;
            }
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new FindingFormatException(path, $"cannot read '{raw}' as {under.Name}: {e.Message}");
        }
        if (under == typeof(IReadOnlyDictionary<string, string>))
        {
            if (raw is not IDictionary<string, object?> m) throw new FindingFormatException(path, "expected a mapping");
            return m.ToDictionary(kv => kv.Key, kv => System.Convert.ToString(kv.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);
        }
        if (under.IsGenericType && under.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            if (raw is not IList items) throw new FindingFormatException(path, "expected a sequence");
            var et = under.GetGenericArguments()[0];
            var arr = Array.CreateInstance(et, items.Count);
            for (var i = 0; i < items.Count; i++)
                arr.SetValue(items[i] is null ? null : Convert(items[i]!, et, $"{path}[{i}]"), i);
            return arr;
        }
        if (FindingTypes.IsStructured(under))
        {
            if (raw is not IDictionary<string, object?> m) throw new FindingFormatException(path, "expected a mapping");
            return ReadObject(m, under, path);
        }
        throw new FindingFormatException(path, $"no YAML mapping for {under.Name}");
    }

    /// <summary>Insertion-ordered dictionary, so keys come out in the documented order.</summary>
    internal sealed class OrderedMap : IDictionary<string, object?>
    {
        private readonly List<KeyValuePair<string, object?>> _items = new();
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public object? this[string key]
        {
            get => _items[_index[key]].Value;
            set
            {
                if (_index.TryGetValue(key, out var i)) _items[i] = new(key, value);
                else { _index[key] = _items.Count; _items.Add(new(key, value)); }
            }
        }
        public ICollection<string> Keys => _items.Select(i => i.Key).ToList();
        public ICollection<object?> Values => _items.Select(i => i.Value).ToList();
        public int Count => _items.Count;
        public bool IsReadOnly => false;
        public void Add(string key, object? value)
        {
            if (_index.ContainsKey(key)) throw new ArgumentException($"duplicate key {key}");
            this[key] = value;
        }
        public void Add(KeyValuePair<string, object?> item) => Add(item.Key, item.Value);
        public void Clear() { _items.Clear(); _index.Clear(); }
        public bool Contains(KeyValuePair<string, object?> item) => _index.ContainsKey(item.Key) && Equals(this[item.Key], item.Value);
        public bool ContainsKey(string key) => _index.ContainsKey(key);
        public void CopyTo(KeyValuePair<string, object?>[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();
        public bool Remove(string key) => throw new NotSupportedException();
        public bool Remove(KeyValuePair<string, object?> item) => throw new NotSupportedException();
        public bool TryGetValue(string key, out object? value)
        {
            if (_index.TryGetValue(key, out var i)) { value = _items[i].Value; return true; }
            value = null;
            return false;
        }
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>A findings document that does not follow the schema; <see cref="Path"/> says where.</summary>
public sealed class FindingFormatException(string path, string message) : FormatException($"{path}: {message}")
{
    public string Path => path;
}
