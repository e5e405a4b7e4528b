// COMPILE-ONLY STAND-INS for the few WPF types (WindowsBase, PresentationCore, PresentationFramework) that
// addon/NinjaTrader/ and the NinjaTrader stubs use. Debian's Mono has no WPF assemblies
// (/usr/lib/mono/4.5 lacks WindowsBase.dll and PresentationFramework.dll), so the CI compile check
// declares these here. Inside NinjaTrader 8 the real .NET Framework WPF types are used; these never ship.
// Names and signatures follow the .NET Framework reference.
using System;

namespace System.Windows.Threading
{
    public class DispatcherObject
    {
        public Dispatcher Dispatcher { get { throw new NotImplementedException(); } }
    }

    public sealed class Dispatcher
    {
        public bool HasShutdownStarted { get { throw new NotImplementedException(); } }
        public DispatcherOperation InvokeAsync(Action callback) { throw new NotImplementedException(); }
    }

    public class DispatcherOperation { }
}

namespace System.Windows
{
    using System.Windows.Threading;

    public class DependencyObject : DispatcherObject { }
    public class UIElement : DependencyObject
    {
        public bool IsEnabled { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }
    public class FrameworkElement : UIElement
    {
        public double Width { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public double Height { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public Thickness Margin { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public HorizontalAlignment HorizontalAlignment { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public Style Style { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class Window : System.Windows.Controls.ContentControl
    {
        public void Show() { throw new NotImplementedException(); }
        public event EventHandler Closed { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
    }

    public class Application : DispatcherObject
    {
        public static Application Current { get { throw new NotImplementedException(); } }
        public object TryFindResource(object resourceKey) { throw new NotImplementedException(); }
    }

    public class Style { }

    public struct Thickness
    {
        public Thickness(double uniformLength) { throw new NotImplementedException(); }
        public Thickness(double left, double top, double right, double bottom) { throw new NotImplementedException(); }
    }

    public enum HorizontalAlignment { Left, Center, Right, Stretch }
    public enum TextWrapping { WrapWithOverflow, NoWrap, Wrap }

    public class RoutedEventArgs : EventArgs { }
    public delegate void RoutedEventHandler(object sender, RoutedEventArgs e);
}

namespace System.Windows.Controls
{
    using System.Windows;

    public class Control : FrameworkElement { }
    public class ContentControl : Control
    {
        public object Content { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class ItemCollection
    {
        public int Add(object newItem) { throw new NotImplementedException(); }
        public void Remove(object removeItem) { throw new NotImplementedException(); }
        public bool Contains(object containItem) { throw new NotImplementedException(); }
    }

    public class ItemsControl : Control
    {
        public ItemCollection Items { get { throw new NotImplementedException(); } }
    }

    public class HeaderedItemsControl : ItemsControl
    {
        public object Header { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class MenuItem : HeaderedItemsControl
    {
        public event RoutedEventHandler Click { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
    }

    public class Button : ContentControl
    {
        public event RoutedEventHandler Click { add { throw new NotImplementedException(); } remove { throw new NotImplementedException(); } }
    }

    public class TextBlock : FrameworkElement
    {
        public string Text { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
        public TextWrapping TextWrapping { get { throw new NotImplementedException(); } set { throw new NotImplementedException(); } }
    }

    public class UIElementCollection
    {
        public int Add(UIElement element) { throw new NotImplementedException(); }
    }

    public class Panel : FrameworkElement
    {
        public UIElementCollection Children { get { throw new NotImplementedException(); } }
    }

    public class StackPanel : Panel { }
}
