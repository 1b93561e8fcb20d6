namespace IstaNas.Visualization.Cells;

/// <summary>An axis-aligned rectangle of a cell diagram (y pointing down).</summary>
/// <param name="Left">Left edge.</param>
/// <param name="Top">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
internal readonly record struct DiagramRect(double Left, double Top, double Width, double Height)
{
    /// <summary>Right edge.</summary>
    public double Right => Left + Width;

    /// <summary>Bottom edge.</summary>
    public double Bottom => Top + Height;

    /// <summary>Centre.</summary>
    public DiagramPoint Center => new(Left + Width / 2, Top + Height / 2);

    /// <summary>A rectangle of the given size around <paramref name="center"/>.</summary>
    public static DiagramRect Around(DiagramPoint center, double width, double height) =>
        new(center.X - width / 2, center.Y - height / 2, width, height);

    /// <summary>Whether the interiors of the two rectangles share any point.</summary>
    public bool Overlaps(DiagramRect other) =>
        Left < other.Right && other.Left < Right && Top < other.Bottom && other.Top < Bottom;

    /// <summary>Whether <paramref name="p"/> lies strictly inside.</summary>
    public bool Contains(DiagramPoint p) => p.X > Left && p.X < Right && p.Y > Top && p.Y < Bottom;
}
