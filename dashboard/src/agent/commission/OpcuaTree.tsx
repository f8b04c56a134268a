import { useState } from "preact/hooks";
import { t } from "../../i18n.js";
import { arrayElements, type BrowsedNode, type BrowseStep, pickKey, shownValue } from "./opcua-points.js";

export type Browse = (node: string) => Promise<BrowsedNode[]>;
export interface Picked {
  node: BrowsedNode;
  path: BrowseStep[];
  /** One element of an array variable. */
  index?: number;
}

/**
 * One node of the address space: objects open on click (their children are browsed then, once),
 * variables show type, access, value and status and can be ticked.
 */
function TreeNode(props: {
  node: BrowsedNode;
  path: BrowseStep[];
  browse: Browse;
  picked: ReadonlyMap<string, Picked>;
  onPick: (p: Picked, on: boolean) => void;
}) {
  const { node, path } = props;
  const [children, setChildren] = useState<BrowsedNode[] | undefined>();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const here = [...path, { name: node.browseName, uri: node.browseNamespaceUri ?? "" }];
  if (node.nodeClass === "Variable" && Array.isArray(node.value))
    return <ArrayVariable node={node} path={here} picked={props.picked} onPick={props.onPick} />;
  if (node.nodeClass === "Variable")
    return (
      <li class="opcua-variable" data-testid="opcua-variable" data-name={node.browseName}>
        <label class="check">
          <input
            type="checkbox"
            checked={props.picked.has(node.nodeId)}
            disabled={node.accessLevel?.read === false}
            onChange={(e) => props.onPick({ node, path: here }, e.currentTarget.checked)}
          />{" "}
          {node.displayName || node.browseName}
        </label>{" "}
        <span class="muted small">
          {node.dataType ?? "?"} · {node.accessLevel?.write ? "rw" : "r"} · {shownValue(node)}
          {node.statusCode && node.statusCode !== "Good" ? ` · ${node.statusCode}` : ""}
        </span>
      </li>
    );
  const toggle = async () => {
    setOpen(!open);
    if (children || open) return;
    try {
      setChildren(await props.browse(node.nodeId));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <li class="opcua-object" data-testid="opcua-object" data-name={node.browseName}>
      <button type="button" class="linklike" aria-expanded={open} onClick={() => void toggle()}>
        {open ? "▾" : "▸"} {node.displayName || node.browseName}
      </button>
      {open && error && <p class="form-error">{error}</p>}
      {open && children && (
        <NodeList
          nodes={children}
          path={here}
          browse={props.browse}
          picked={props.picked}
          onPick={props.onPick}
        />
      )}
    </li>
  );
}

/** An array variable: its elements (index, current value), each of which can be ticked as a point. */
function ArrayVariable(props: {
  node: BrowsedNode;
  path: BrowseStep[];
  picked: ReadonlyMap<string, Picked>;
  onPick: (p: Picked, on: boolean) => void;
}) {
  const { node } = props;
  const [open, setOpen] = useState(false);
  const elements = arrayElements(node);
  const length = Array.isArray(node.value) ? node.value.length : 0;
  return (
    <li class="opcua-variable" data-testid="opcua-variable" data-name={node.browseName}>
      <button type="button" class="linklike" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} {node.displayName || node.browseName}
      </button>{" "}
      <span class="muted small">
        {node.dataType ?? "?"}[{length}] · {node.accessLevel?.write ? "rw" : "r"} · {shownValue(node)}
        {node.statusCode && node.statusCode !== "Good" ? ` · ${node.statusCode}` : ""}
      </span>
      {open && (
        <ul class="opcua-tree">
          {elements.map((e) => (
            <li key={e.index} data-testid="opcua-element" data-index={e.index}>
              <label class="check">
                <input
                  type="checkbox"
                  checked={props.picked.has(pickKey(node.nodeId, e.index))}
                  disabled={node.accessLevel?.read === false}
                  onChange={(ev) =>
                    props.onPick({ node, path: props.path, index: e.index }, ev.currentTarget.checked)
                  }
                />{" "}
                [{e.index}]
              </label>{" "}
              <span class="muted small">{e.value}</span>
            </li>
          ))}
          {length > elements.length && (
            <li class="muted small">{t.opcua.moreElements(length - elements.length)}</li>
          )}
        </ul>
      )}
    </li>
  );
}

export function NodeList(props: {
  nodes: BrowsedNode[];
  path: BrowseStep[];
  browse: Browse;
  picked: ReadonlyMap<string, Picked>;
  onPick: (p: Picked, on: boolean) => void;
}) {
  if (props.nodes.length === 0) return <p class="muted small">{t.opcua.empty}</p>;
  return (
    <ul class="opcua-tree">
      {props.nodes.map((n) => (
        <TreeNode key={n.nodeId} {...props} node={n} />
      ))}
    </ul>
  );
}
