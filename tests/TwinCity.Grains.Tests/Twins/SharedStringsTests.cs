using TwinCity.Grains.Interfaces.Twins;

namespace TwinCity.Grains.Tests.Twins;

public sealed class SharedStringsTests
{
    [Fact]
    public void Equal_texts_come_back_as_one_copy()
    {
        // Built at run time, so neither is a literal the runtime already holds once.
        string first = string.Concat("app-", Guid.NewGuid().ToString("N").AsSpan(0, 8));
        string second = new(first.AsSpan());
        Assert.NotSame(first, second);

        Assert.Same(first, SharedStrings.Get(first));
        Assert.Same(first, SharedStrings.Get(second));
    }

    [Fact]
    public void A_text_the_program_holds_as_a_literal_comes_back_as_that_literal_every_time()
    {
        const string Literal = "shared-strings-literal-7f3a";
        string read = new(Literal.AsSpan());
        Assert.NotSame(Literal, read);

        Assert.Same(Literal, SharedStrings.Get(read));
        Assert.Same(Literal, SharedStrings.Get(new string(Literal.AsSpan())));
        Assert.Same(Literal, SharedStrings.Get(Literal.AsSpan()));
    }

    [Fact]
    public void Long_texts_and_null_pass_through_unpooled()
    {
        string text = new('x', SharedStrings.MaxLength + 1);
        string copy = new(text.AsSpan());

        Assert.Same(copy, SharedStrings.Get(copy));
        Assert.NotSame(text, SharedStrings.Get(copy));
        Assert.Null(SharedStrings.Get(null));
    }

    [Fact]
    public void A_span_finds_the_pooled_copy_and_adds_what_is_new()
    {
        string pooled = SharedStrings.Get(string.Concat("gw-", Guid.NewGuid().ToString("N").AsSpan(0, 8)))!;
        Span<char> read = stackalloc char[pooled.Length];
        pooled.AsSpan().CopyTo(read);

        Assert.Same(pooled, SharedStrings.Get((ReadOnlySpan<char>)read));

        string fresh = "dev-" + Guid.NewGuid().ToString("N")[..8];
        string added = SharedStrings.Get(fresh.AsSpan());
        Assert.Equal(fresh, added);
        Assert.Same(added, SharedStrings.Get(fresh.AsSpan()));
        Assert.Same(added, SharedStrings.Get(fresh));
    }
}
