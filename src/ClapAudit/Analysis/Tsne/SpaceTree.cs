namespace ClapAudit.Analysis.Tsne;

/// <summary>
/// The Barnes-Hut tree of the map (a quadtree in 2-D, octree in 3-D), built as scikit-learn's
/// <c>_QuadTree</c> does: points inserted one by one into a bounding box slightly larger than the data,
/// one point per leaf, points closer than 1e-6 on every axis merged into one leaf, each cell keeping its
/// barycentre, point count and squared maximum width. Build O(n log n), memory O(n).
/// </summary>
internal sealed class SpaceTree
{
    private const double DuplicateEpsilon = 1e-6;
    private readonly int _dims, _fan;
    private int _count;
    // What the traversal reads, packed per cell so that one cell costs one cache line.
    private struct Node
    {
        public double X, Y, Z, SqWidth;
        public int Size;
        public bool Leaf;
    }

    private Node[] _nodes = [];
    private double[] _min = [], _max = [];
    private int[] _children = [];

    public SpaceTree(int dims)
    {
        _dims = dims; _fan = 1 << dims;
        Grow(64);
    }

    public int CellCount => _count;

    /// <summary>Rebuilds the tree over the n points of <paramref name="y"/> (n x dims row-major).</summary>
    public void Build(ReadOnlySpan<double> y, int n)
    {
        _count = 0;
        Span<double> lo = stackalloc double[3], hi = stackalloc double[3];
        for (int a = 0; a < _dims; a++) { lo[a] = double.PositiveInfinity; hi[a] = double.NegativeInfinity; }
        for (int i = 0; i < n; i++)
            for (int a = 0; a < _dims; a++)
            {
                double v = y[i * _dims + a];
                if (v < lo[a]) lo[a] = v;
                if (v > hi[a]) hi[a] = v;
            }
        int root = NewCell();
        for (int a = 0; a < _dims; a++)
        {
            // Widen the box a little so that no point sits on its upper edge (scikit-learn: width x 1.001).
            double center = (lo[a] + hi[a]) / 2, width = Math.Max(hi[a] - lo[a], 1e-6) * 1.001;
            _min[root * 3 + a] = center - width / 2;
            _max[root * 3 + a] = center + width / 2;
        }
        SetWidth(root);
        for (int i = 0; i < n; i++) Insert(y.Slice(i * _dims, _dims));
    }

    private void Insert(ReadOnlySpan<double> point)
    {
        int cell = 0;
        Span<double> old = stackalloc double[3];
        while (true)
        {
            if (_nodes[cell].Leaf)
            {
                if (_nodes[cell].Size == 0)
                {
                    for (int a = 0; a < _dims; a++) Bary(cell, a) = point[a];
                    _nodes[cell].Size = 1;
                    return;
                }
                if (IsDuplicate(cell, point))
                {
                    AddToBarycentre(cell, point);
                    return;
                }
                // Split: the leaf's point(s) move down to the child that contains them.
                for (int a = 0; a < _dims; a++) old[a] = Bary(cell, a);
                int moved = ChildFor(cell, old[.._dims]);
                for (int a = 0; a < _dims; a++) Bary(moved, a) = old[a];
                _nodes[moved].Size = _nodes[cell].Size;
                _nodes[cell].Leaf = false;
            }
            AddToBarycentre(cell, point);
            cell = ChildFor(cell, point);
        }
    }

    private void AddToBarycentre(int cell, ReadOnlySpan<double> point)
    {
        int s = _nodes[cell].Size;
        for (int a = 0; a < _dims; a++)
            Bary(cell, a) = (Bary(cell, a) * s + point[a]) / (s + 1);
        _nodes[cell].Size = s + 1;
    }

    private ref double Bary(int cell, int axis)
    {
        ref Node node = ref _nodes[cell];
        if (axis == 0) return ref node.X;
        if (axis == 1) return ref node.Y;
        return ref node.Z;
    }

    private bool IsDuplicate(int cell, ReadOnlySpan<double> point)
    {
        for (int a = 0; a < _dims; a++)
            if (Math.Abs(Bary(cell, a) - point[a]) > DuplicateEpsilon) return false;
        return true;
    }

    /// <summary>The child of <paramref name="cell"/> whose box holds <paramref name="point"/>, created empty if missing.</summary>
    private int ChildFor(int cell, ReadOnlySpan<double> point)
    {
        int slot = 0;
        for (int a = 0; a < _dims; a++)
            if (point[a] >= (_min[cell * 3 + a] + _max[cell * 3 + a]) / 2) slot |= 1 << a;
        int child = _children[cell * 8 + slot];
        if (child >= 0) return child;
        child = NewCell();
        _children[cell * 8 + slot] = child;
        for (int a = 0; a < _dims; a++)
        {
            double mid = (_min[cell * 3 + a] + _max[cell * 3 + a]) / 2;
            bool upper = (slot & (1 << a)) != 0;
            _min[child * 3 + a] = upper ? mid : _min[cell * 3 + a];
            _max[child * 3 + a] = upper ? _max[cell * 3 + a] : mid;
        }
        SetWidth(child);
        return child;
    }

    private void SetWidth(int cell)
    {
        double w = 0;
        for (int a = 0; a < _dims; a++) w = Math.Max(w, _max[cell * 3 + a] - _min[cell * 3 + a]);
        _nodes[cell].SqWidth = w * w;
    }

    private int NewCell()
    {
        if (_count == _nodes.Length) Grow(_nodes.Length * 2);
        int c = _count++;
        _nodes[c] = new Node { Leaf = true };
        Array.Fill(_children, -1, c * 8, 8);
        return c;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _nodes, capacity);
        Array.Resize(ref _min, capacity * 3);
        Array.Resize(ref _max, capacity * 3);
        Array.Resize(ref _children, capacity * 8);
    }

    /// <summary>
    /// Repulsion on one point (scikit-learn's <c>summarize</c> + <c>compute_gradient_negative</c>):
    /// a cell counts as one body at its barycentre when it is a leaf or width^2 / dist^2 &lt; theta^2;
    /// the point's own leaf (and exact duplicates) is skipped. Adds sum of size * w to <paramref name="sumW"/>
    /// and sum of size * w^2 * (y - barycentre) to <paramref name="force"/>, with the Student-t kernel w.
    /// </summary>
    public void Repulsion(ReadOnlySpan<double> point, double squaredTheta, double dof, Span<double> force, out double sumW)
    {
        Span<int> stack = stackalloc int[128 * 8];
        Span<double> diff = stackalloc double[3];
        int top = 0;
        stack[top++] = 0;
        double z = 0;
        double exponent = -(dof + 1) / 2;
        while (top > 0)
        {
            int cell = stack[--top];
            ref readonly Node node = ref _nodes[cell];
            diff[0] = point[0] - node.X;
            if (_dims > 1) diff[1] = point[1] - node.Y;
            if (_dims > 2) diff[2] = point[2] - node.Z;
            double d2 = 0;
            bool duplicate = true;
            for (int a = 0; a < _dims; a++)
            {
                d2 += diff[a] * diff[a];
                duplicate &= Math.Abs(diff[a]) <= DuplicateEpsilon;
            }
            bool leaf = node.Leaf;
            if (duplicate && leaf) continue;
            if (leaf || node.SqWidth < squaredTheta * d2)
            {
                double w = dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / dof, exponent);
                int size = node.Size;
                z += size * w;
                double mult = size * w * w;
                for (int a = 0; a < _dims; a++) force[a] += mult * diff[a];
                continue;
            }
            if (top + 8 > stack.Length) throw new InvalidOperationException("t-SNE tree deeper than expected");
            for (int c = _fan - 1; c >= 0; c--)
            {
                int child = _children[cell * 8 + c];
                if (child >= 0) stack[top++] = child;
            }
        }
        sumW = z;
    }
}
