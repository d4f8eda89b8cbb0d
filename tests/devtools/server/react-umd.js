// React 19 ships no UMD build, but the DevTools web UI served by @redux-devtools/cli
// loads /react.production.min.js and /react-dom.production.min.js as globals
// (upstream redux-devtools issue #1931): the UI stays blank. This entry is bundled
// with esbuild into node_modules/react/umd/react.production.min.js on install; one
// bundle sets both globals so React and ReactDOM share one copy of React.
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';

window.React = React;
window.ReactDOM = { ...ReactDOM, ...ReactDOMClient };
