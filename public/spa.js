// A tiny client-side router, as single-page apps have: the Help view mounts the widget,
// the other views unmount it.
const views = {
  home: () => "<h1>Home</h1><p>Welcome to the Contoso app.</p>",
  help: () => '<h1>Help</h1><p>Ask us to call you back.</p><callback-widget profile="default"></callback-widget>',
  about: () => "<h1>About</h1><p>Contoso, since 1999.</p>",
};

function render() {
  const route = location.hash.slice(1) || "home";
  document.getElementById("view").innerHTML = (views[route] || views.home)();
}

window.addEventListener("hashchange", render);
render();
