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
    private double[] _bary = [], _min = [], _max = [], _sqWidth = [];
    private int[] _size = [], _children = [];
    private bool[] _leaf = [];

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
        while (true)
        {
            if (_leaf[cell])
            {
                if (_size[cell] == 0)
                {
                    for (int a = 0; a < _dims; a++) _bary[cell * 3 + a] = point[a];
                    _size[cell] = 1;
                    return;
                }
                if (IsDuplicate(cell, point))
                {
                    AddToBarycentre(cell, point);
                    return;
                }
                // Split: the leaf's point(s) move down to the child that contains them.
                int moved = ChildFor(cell, _bary.AsSpan(cell * 3, _dims));
                for (int a = 0; a < _dims; a++) _bary[moved * 3 + a] = _bary[cell * 3 + a];
                _size[moved] = _size[cell];
                _leaf[cell] = false;
            }
            AddToBarycentre(cell, point);
            cell = ChildFor(cell, point);
        }
    }

    private void AddToBarycentre(int cell, ReadOnlySpan<double> point)
    {
        int s = _size[cell];
        for (int a = 0; a < _dims; a++)
            _bary[cell * 3 + a] = (_bary[cell * 3 + a] * s + point[a]) / (s + 1);
        _size[cell] = s + 1;
    }

    private bool IsDuplicate(int cell, ReadOnlySpan<double> point)
    {
        for (int a = 0; a < _dims; a++)
            if (Math.Abs(_bary[cell * 3 + a] - point[a]) > DuplicateEpsilon) return false;
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
        _sqWidth[cell] = w * w;
    }

    private int NewCell()
    {
        if (_count == _size.Length) Grow(_size.Length * 2);
        int c = _count++;
        _size[c] = 0; _leaf[c] = true;
        Array.Fill(_children, -1, c * 8, 8);
        return c;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _bary, capacity * 3);
        Array.Resize(ref _min, capacity * 3);
        Array.Resize(ref _max, capacity * 3);
        Array.Resize(ref _sqWidth, capacity);
        Array.Resize(ref _size, capacity);
        Array.Resize(ref _children, capacity * 8);
        Array.Resize(ref _leaf, capacity);
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
            double d2 = 0;
            bool duplicate = true;
            for (int a = 0; a < _dims; a++)
            {
                double t = point[a] - _bary[cell * 3 + a];
                diff[a] = t; d2 += t * t;
                duplicate &= Math.Abs(t) <= DuplicateEpsilon;
            }
            bool leaf = _leaf[cell];
            if (duplicate && leaf) continue;
            if (leaf || _sqWidth[cell] < squaredTheta * d2)
            {
                double w = dof == 1 ? 1.0 / (1.0 + d2) : Math.Pow(1.0 + d2 / dof, exponent);
                int size = _size[cell];
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
